package io.fleetwatch.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What the packaging's comments say about modes and sandboxing is what the install scripts and units do. */
class DocumentedModesTest {
    private static final Path SRC = Path.of("src");

    private static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.walk(SRC)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.toString().contains("/test/")).toList();
        }
    }

    @Test
    void everyMentionOfFleetwatchEnvsModeIsTheModePostinstSets() throws IOException {
        Matcher set = Pattern.compile("chmod (0\\d{3}) /etc/fleetwatch/fleetwatch\\.env")
                .matcher(Files.readString(SRC.resolve("deb/server/control/postinst")));
        assertThat(set.find()).as("postinst sets fleetwatch.env's mode").isTrue();
        String mode = set.group(1);
        Pattern mention = Pattern.compile("fleetwatch\\.env[^\\n]{0,40}?\\b(0[0-7]{3})\\b|EnvironmentFile=, mode (0[0-7]{3})");
        int mentions = 0;
        for (Path f : files()) {
            Matcher m = mention.matcher(Files.readString(f));
            while (m.find()) {
                mentions++;
                assertThat(m.group(1) != null ? m.group(1) : m.group(2)).as(f + ": " + m.group()).isEqualTo(mode);
            }
        }
        assertThat(mentions).as("the units and examples say the mode").isGreaterThan(3);
    }

    @Test
    void bothAgentUnitsLeaveTheGpuDevicesVisible() throws IOException {
        for (Path unit : List.of(SRC.resolve("main/systemd/fleetwatch-agent.service"),
                SRC.resolve("deb/agent/fleetwatch-agent.service"))) {
            assertThat(Files.readAllLines(unit)).as(unit + ": PrivateDevices=yes hides /dev/nvidia*, so GPU % is null")
                    .noneMatch(l -> l.strip().startsWith("PrivateDevices="));
        }
    }
}
