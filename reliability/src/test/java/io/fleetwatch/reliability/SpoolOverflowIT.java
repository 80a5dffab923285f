package io.fleetwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.TcpProxy;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 5: an agent process cut off from the broker for longer than its spool holds. The oldest samples are dropped,
 * the drop is counted (spool/dropped, the status line) and logged, the newest are kept and delivered when the broker
 * is back, and the agent's memory does not grow with the outage (the spool is on disk).
 */
class SpoolOverflowIT {

    @Test
    void theOldestAreDroppedAndCountedTheNewestKeptMemoryFlat() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create();
             TcpProxy proxy = new TcpProxy(Integer.parseInt(tb.env().get("QUEUE_PORT")))) {
            Map<String, String> env = Traffic.pipeline(tb, db);
            Fleet.Host host = Fleet.Host.create(Files.createTempDirectory(Path.of("target"), "spool-host"), "spool-host");
            try (Fleet fleet = new Fleet(env)) {
                Process consumer = fleet.start("consumer-spool", Map.of(), "consume");
                // 64 KiB of spool at 10 samples a second: about 16 s of outage fit
                Process agent = fleet.start("agent-spool", List.of("-Xmx64m", "-Dfleetwatch.host.root=" + host.root()),
                        Map.of("QUEUE_PORT", Integer.toString(proxy.port()), "FLEETWATCH_AGENT_INTERVAL", "100ms",
                                "FLEETWATCH_AGENT_JITTER", "false", "FLEETWATCH_AGENT_STATE_DIR", host.state().toString(),
                                "FLEETWATCH_AGENT_SPOOL_MAX_MB", "0.0625"), "agent");
                Await.until(Duration.ofSeconds(60), "first samples stored", () ->
                        Traffic.count(db, "SELECT count(*) FROM metrics") >= 10);
                proxy.cut();
                Instant cut = Instant.now();
                long rssAtCut = Fleet.rssKb(agent);
                long rssMax = rssAtCut;
                for (int i = 0; i < 28; i++) { // 28 s away: nearly twice what the spool holds
                    Thread.sleep(1_000);
                    rssMax = Math.max(rssMax, Fleet.rssKb(agent));
                }
                long droppedWhileAway = host.spoolDropped();
                assertThat(droppedWhileAway).as("samples dropped while the broker was away").isPositive();
                Instant back = Instant.now();
                proxy.restore();
                // the agent's reconnect backoff (1 s doubling to a minute) decides when it is back
                Await.until(Duration.ofSeconds(75), "agent reconnected", () -> Files.readString(
                        Path.of("target/reliability-logs/agent-spool.log")).contains("reachable again"));
                Thread.sleep(1_000);
                assertThat(Fleet.stop(agent, 30)).isZero();
                long taken = host.lastSeq();
                long dropped = host.spoolDropped();
                Await.equal(Duration.ofSeconds(60), "every sample not dropped is stored", taken - dropped,
                        () -> Traffic.count(db, "SELECT count(*) FROM metrics"));
                // the oldest went: nothing from the first seconds of the outage; the newest stayed: its last seconds
                long earlyOutage = Traffic.count(db, "SELECT count(*) FROM metrics WHERE collected_at BETWEEN '"
                        + cut.plusSeconds(2) + "' AND '" + cut.plusSeconds(8) + "'");
                long lateOutage = Traffic.count(db, "SELECT count(*) FROM metrics WHERE collected_at BETWEEN '"
                        + back.minusSeconds(8) + "' AND '" + back.minusSeconds(2) + "'");
                assertThat(earlyOutage).as("samples kept from early in the outage").isZero();
                assertThat(lateOutage).as("samples kept from late in the outage").isGreaterThanOrEqualTo(50);
                String log = Files.readString(Path.of("target/reliability-logs/agent-spool.log"));
                assertThat(log).contains("spool full").contains("dropped=" + dropped);
                assertThat(rssMax - rssAtCut).as("RSS growth during the outage, kB").isLessThan(32 * 1024);
                assertThat(Fleet.stop(consumer, 30)).isZero();
                long stored = Traffic.count(db, "SELECT count(*) FROM metrics");
                Traffic.figures(String.format("agent cut off 28 s with a 64 KiB spool (100 ms interval): samples taken %d,"
                        + " dropped (oldest, counted) %d, stored %d, lost beyond the counted drop %d, duplicates %d;"
                        + " RSS %d MB at the cut, max %d MB during the outage", taken, dropped, stored,
                        taken - dropped - stored, stored - Traffic.count(db,
                                "SELECT count(DISTINCT (system_id, collected_at)) FROM metrics"),
                        rssAtCut / 1024, rssMax / 1024));
            }
        }
    }
}
