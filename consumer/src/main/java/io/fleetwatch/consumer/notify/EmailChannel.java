package io.fleetwatch.consumer.notify;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Properties;

/** Sends the notice as a plain-text e-mail over SMTP (STARTTLS required when {@code startTls}). */
public final class EmailChannel implements Channel {

    /** SMTP settings: host, port, use_tls, username, password, from_address, timeout. */
    public record Smtp(String host, int port, boolean startTls, String username, String password, String from,
                       List<String> to, Duration timeout) {
        public Smtp {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("SMTP_HOST: not set");
            }
            if (from == null || !from.contains("@")) {
                throw new IllegalArgumentException("SMTP_FROM: '" + from + "' is not an e-mail address");
            }
            if (to == null || to.isEmpty() || to.stream().anyMatch(a -> !a.contains("@"))) {
                throw new IllegalArgumentException("SMTP_TO: needs one or more e-mail addresses, comma-separated");
            }
            to = List.copyOf(to);
        }

        @Override
        public String toString() {
            return "Smtp[" + host + ":" + port + ", startTls=" + startTls + ", user=" + username + ", password=***]";
        }
    }

    private final Smtp smtp;
    private final Session session;

    public EmailChannel(Smtp smtp) {
        this.smtp = smtp;
        Properties p = new Properties();
        p.put("mail.smtp.host", smtp.host());
        p.put("mail.smtp.port", Integer.toString(smtp.port()));
        p.put("mail.smtp.auth", Boolean.toString(smtp.username() != null && !smtp.username().isEmpty()));
        p.put("mail.smtp.starttls.enable", Boolean.toString(smtp.startTls()));
        p.put("mail.smtp.starttls.required", Boolean.toString(smtp.startTls()));
        p.put("mail.smtp.ssl.checkserveridentity", "true");
        String ms = Long.toString(smtp.timeout().toMillis());
        p.put("mail.smtp.connectiontimeout", ms);
        p.put("mail.smtp.timeout", ms);
        p.put("mail.smtp.writetimeout", ms);
        this.session = Session.getInstance(p);
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public void send(Notice n) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(smtp.from()));
        for (String to : smtp.to()) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(to));
        }
        m.setSubject(n.subject(), "UTF-8");
        m.setSentDate(new Date());
        m.setText(body(n), "UTF-8");
        if (smtp.username() != null && !smtp.username().isEmpty()) {
            Transport.send(m, smtp.username(), smtp.password());
        } else {
            Transport.send(m);
        }
    }

    static String body(Notice n) {
        StringBuilder b = new StringBuilder();
        b.append("Alert ").append(n.event()).append(": ").append(n.alertType()).append(" (").append(n.severity())
                .append(")\n\n");
        b.append("System:     ").append(n.systemId());
        if (n.hostname() != null) {
            b.append(" ").append(n.hostname());
        }
        if (n.ipAddress() != null) {
            b.append(" [").append(n.ipAddress()).append("]");
        }
        b.append("\nValue:      ").append(n.value()).append("\nThreshold:  ").append(n.threshold())
                .append("\nSince:      ").append(n.occurredAt()).append('\n');
        if (n.resolvedAt() != null) {
            b.append("Resolved:   ").append(n.resolvedAt()).append('\n');
        }
        b.append("\nFleetwatch alert #").append(n.alertRow()).append('\n');
        return b.toString();
    }
}
