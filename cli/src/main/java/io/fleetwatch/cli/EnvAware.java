package io.fleetwatch.cli;

import java.util.Map;

/** A command that reads its configuration from an injected environment (the config file's keys, then the process's). */
abstract class EnvAware {
    protected Map<String, String> env = Map.of();
    protected Config config;

    void setEnv(Map<String, String> env) {
        this.env = env;
    }

    void setConfig(Config config) {
        this.config = config;
        this.env = config.env();
    }

    /** The configuration this command was started with; for commands built without the launcher, the environment. */
    Config config() {
        return config != null ? config : Config.load(null, env);
    }
}
