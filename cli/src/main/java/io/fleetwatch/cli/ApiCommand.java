package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.ApiServer;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.sql.ReadReplica;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

@Command(name = "api", mixinStandardHelpOptions = true, description = {"Serve the REST API and the web dashboard (/ui; tokens: FLEETWATCH_API_TOKEN or admin create-token).",
    "Env: FLEETWATCH_API_HOST (127.0.0.1), FLEETWATCH_API_PORT (8080), DATABASE_READ_URL (a streaming replica for reads).",
    "With HTTPS (api.tls.*), SIGHUP reads the certificate files again (they are also re-read when they change)."})
final class ApiCommand extends EnvAware implements Callable<Integer>, ConfigCheck.Parts {
    @Override
    public List<String> parts(Map<String, String> env) {
        return List.of("database", "api");
    }

    @Override
    public Integer call() throws Exception {
        ApiSettings settings = ApiSettings.fromEnv(env);
        HikariDataSource ds = Services.database(env, "fleetwatch-api");
        ReadReplica replica = Services.readReplica(env, ds, "fleetwatch-api");
        ApiServer api = ApiServer.start(settings, ds, replica, Clock.systemUTC(),
                io.fleetwatch.broker.BrokerSettings.fromEnv(env));
        LoggerFactory.getLogger(ApiCommand.class).info("API listening on {}", api.uri());
        Components.reloadCertificateOnHangup(settings, api);
        Services.runUntilShutdown(replica == null ? List.of(ds, api) : List.of(ds, replica, api));
        return 0;
    }
}
