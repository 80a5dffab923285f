package io.fleetwatch.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.fleetwatch.consumer.notify.Channel;
import io.fleetwatch.consumer.notify.EmailChannel;
import io.fleetwatch.consumer.notify.Notice;
import io.fleetwatch.consumer.notify.NotifySettings;
import jakarta.mail.internet.MimeMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** E-mail through a real SMTP server (GreenMail, on loopback). */
class EmailChannelIT {

    private static int freePort() {
        return io.fleetwatch.testing.Ports.free();
    }

    @Test
    void alertMailArrivesWithSubjectAndDetails() throws Exception {
        int port = freePort();
        GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.setUser("fleetwatch@lab.example", "fleetwatch", "s3cret-smtp");
        smtp.start();
        try {
            List<Channel> channels = NotifySettings.channels(Map.of("SMTP_HOST", "127.0.0.1",
                    "SMTP_PORT", Integer.toString(port), "SMTP_STARTTLS", "false", "SMTP_USERNAME", "fleetwatch",
                    "SMTP_PASSWORD", "s3cret-smtp", "SMTP_FROM", "fleetwatch@lab.example",
                    "SMTP_TO", "ops@lab.example, oncall@lab.example"));
            assertThat(channels).hasSize(1);
            channels.get(0).send(new Notice(7, "firing", 42, "lab-pc-01", "198.18.0.10", "cpu_high", "critical", 97.5,
                    90.0, Instant.parse("2025-11-25T10:40:00Z"), null));
            MimeMessage[] got = smtp.getReceivedMessages();
            assertThat(got).hasSize(2); // one per recipient
            assertThat(got[0].getSubject()).isEqualTo("[fleetwatch] CRITICAL cpu_high on lab-pc-01");
            String body = (String) got[0].getContent();
            assertThat(body).contains("Value:      97.5").contains("Threshold:  90.0").contains("Fleetwatch alert #7");
        } finally {
            smtp.stop();
        }
    }

    @Test
    void wrongPasswordIsAFailedAttempt() throws Exception {
        int port = freePort();
        GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.setUser("fleetwatch@lab.example", "fleetwatch", "right");
        smtp.getManagers().getUserManager().setAuthRequired(true);
        smtp.start();
        try {
            EmailChannel ch = new EmailChannel(new EmailChannel.Smtp("127.0.0.1", port, false, "fleetwatch", "wrong",
                    "fleetwatch@lab.example", List.of("ops@lab.example"), java.time.Duration.ofSeconds(5)));
            assertThatThrownBy(() -> ch.send(new Notice(1, "firing", 1, null, null, "cpu_high", "warning", 95.0, 90.0,
                    Instant.now(), null))).isInstanceOf(jakarta.mail.AuthenticationFailedException.class);
            assertThat(smtp.getReceivedMessages()).isEmpty();
        } finally {
            smtp.stop();
        }
    }

    @Test
    void badSettingsNameTheKey() {
        assertThatThrownBy(() -> NotifySettings.channels(Map.of("SMTP_HOST", "mail", "SMTP_FROM", "x@y")))
                .hasMessageStartingWith("SMTP_TO:");
        assertThatThrownBy(() -> NotifySettings.channels(Map.of("SMTP_HOST", "mail", "SMTP_PORT", "smtp")))
                .hasMessageStartingWith("SMTP_PORT:");
    }
}
