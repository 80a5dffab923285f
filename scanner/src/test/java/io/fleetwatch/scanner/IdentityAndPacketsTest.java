package io.fleetwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The OUI table shipped with the scanner, and the packets the raw probes write and read. */
class IdentityAndPacketsTest {

    @Test
    void vendorsComeFromTheBundledIeeeRegistryLongestPrefixFirst() {
        OuiTable t = OuiTable.bundled();
        assertThat(t.source()).startsWith("Debian ieee-data 20220827.1");
        assertThat(t.size()).isGreaterThan(40_000);
        assertThat(t.vendor("00:1B:44:11:3A:B7")).contains("SanDisk Corporation"); // the contract's example MAC
        assertThat(t.vendor("00-1b-44-11-3a-b7")).contains("SanDisk Corporation");
        // 20:85:93 is an MA-L block the IEEE sold on in MA-M pieces: the 28-bit assignment wins
        assertThat(t.vendor("20:85:93:B0:00:01")).contains("IOG Products LLC");
        // an MA-S (36-bit) assignment inside 70:B3:D5
        assertThat(t.vendor("70:B3:D5:F2:F0:01")).contains("TELEPLATFORMS");
        assertThat(t.vendor("02:f0:00:00:01:0a")).as("locally administered").isEmpty();
        assertThat(t.vendor("not a mac")).isEmpty();
        assertThat(t.vendor(null)).isEmpty();
    }

    @Test
    void aTableFileNamesItsSource() throws Exception {
        OuiTable t = OuiTable.read(new ByteArrayInputStream("#source\tunit test\n001B44\tSanDisk Corporation\n"
                .getBytes(StandardCharsets.UTF_8)));
        assertThat(t.source()).isEqualTo("unit test");
        assertThat(t.vendor("00:1b:44:00:00:00")).contains("SanDisk Corporation");
    }

    @Test
    void arpRequestAndReplyFollowRfc826() {
        byte[] mac = HexFormat.ofDelimiter(":").parseHex("02:f0:00:00:00:01");
        byte[] req = RawArpProbe.request(mac, Ipv4.parse("198.18.0.1"), Ipv4.parse("198.18.0.10"));
        assertThat(HexFormat.of().formatHex(req)).isEqualTo(
                "0001" + "0800" + "06" + "04" + "0001" + "02f000000001" + "c6120001" + "000000000000" + "c612000a");
        // the reply of 198.18.0.10 (02:f0:00:00:01:0a) to us, as the lab's kernel sends it
        byte[] reply = HexFormat.of().parseHex(
                "0001" + "0800" + "06" + "04" + "0002" + "02f00000010a" + "c612000a" + "02f000000001" + "c6120001");
        assertThat(RawArpProbe.parseReply(reply, reply.length, Ipv4.parse("198.18.0.1")))
                .isEqualTo(new RawArpProbe.Answer("198.18.0.10", "02:F0:00:00:01:0A"));
        assertThat(RawArpProbe.parseReply(reply, reply.length, Ipv4.parse("198.18.0.2"))).as("not addressed to us").isNull();
        assertThat(RawArpProbe.parseReply(req, req.length, Ipv4.parse("198.18.0.10"))).as("a request").isNull();
        assertThat(RawArpProbe.parseReply(reply, 20, Ipv4.parse("198.18.0.1"))).as("truncated").isNull();
    }

    @Test
    void icmpChecksumIsRfc1071s() {
        // RFC 1071 section 3's example: the one's complement sum of 0001 f203 f4f5 f6f7 is ddf2
        assertThat(IcmpProbe.checksum(HexFormat.of().parseHex("0001f203f4f5f6f7"))).isEqualTo(~0xddf2 & 0xffff);
        assertThat(IcmpProbe.checksum(HexFormat.of().parseHex("0001f203f4f5f6"))).isEqualTo(~(0xddf2 - 0xf7) & 0xffff);
    }

    @Test
    void sequenceNumbersCarryAttemptAndIndex() {
        assertThat(IcmpProbe.sequence(511, 0)).isEqualTo(511);
        assertThat(IcmpProbe.sequence(3, 2)).isEqualTo(2051);
    }
}
