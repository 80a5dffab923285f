package io.fleetwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Only documentation and benchmarking ranges here (198.18.0.0/15, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24). */
class TargetsAndPolicyTest {

    @Test
    void cidrParsingAndHostRange() {
        Cidr c = Cidr.parse("198.18.0.0/24");
        assertThat(c.size()).isEqualTo(256);
        assertThat(Ipv4.format((int) c.firstHost())).isEqualTo("198.18.0.1");
        assertThat(Ipv4.format((int) c.lastHost())).isEqualTo("198.18.0.254");
        assertThat(Cidr.parse("198.18.0.9")).isEqualTo(new Cidr(Ipv4.parse("198.18.0.9"), 32));
        assertThat(Cidr.parse("198.18.0.8/31").lastHost() - Cidr.parse("198.18.0.8/31").firstHost()).isEqualTo(1);
        assertThatThrownBy(() -> Cidr.parse("198.18.0.7/24")).hasMessageContaining("host bits set")
                .hasMessageContaining("198.18.0.0/24");
        assertThatThrownBy(() -> Cidr.parse("198.18.0/24")).hasMessageContaining("not an IPv4 address");
        assertThatThrownBy(() -> Cidr.parse("198.18.0.0/33")).hasMessageContaining("0..32");
    }

    @Test
    void targetsAreTheUnionMinusExclusionsEachOnceInASeededOrder() {
        List<Cidr> include = List.of(Cidr.parse("198.18.0.0/24"), Cidr.parse("198.18.0.0/25"));
        List<Cidr> exclude = List.of(Cidr.parse("198.18.0.1"), Cidr.parse("198.18.0.128/26"));
        TargetList t = TargetList.of(include, exclude, 42, TargetList.DEFAULT_MAX_ADDRESSES, false);
        assertThat(t.size()).isEqualTo(254 - 1 - 64);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < t.size(); i++) {
            assertThat(seen.add(t.get(i))).isTrue();
            assertThat(Cidr.parse("198.18.0.128/26").contains(t.get(i))).isFalse();
        }
        TargetList again = TargetList.of(include, exclude, 42, TargetList.DEFAULT_MAX_ADDRESSES, false);
        TargetList other = TargetList.of(include, exclude, 7, TargetList.DEFAULT_MAX_ADDRESSES, false);
        boolean sameOrder = true;
        boolean otherOrder = false;
        for (int i = 0; i < t.size(); i++) {
            sameOrder &= t.get(i) == again.get(i);
            otherOrder |= t.get(i) != other.get(i);
        }
        assertThat(sameOrder).as("same seed, same order").isTrue();
        assertThat(otherOrder).as("another seed, another order").isTrue();
        boolean sorted = true;
        for (int i = 1; i < t.size(); i++) {
            sorted &= Integer.toUnsignedLong(t.get(i)) > Integer.toUnsignedLong(t.get(i - 1));
        }
        assertThat(sorted).as("shuffled").isFalse();
    }

    @Test
    void batchesNeverExceedTheNeighbourTableBudget() {
        TargetList t = TargetList.of(List.of(Cidr.parse("198.18.0.0/22")), List.of(), 1, 65_536, false);
        List<int[]> b = t.batches(10_000);
        assertThat(b).allSatisfy(x -> assertThat(x.length).isLessThanOrEqualTo(TargetList.MAX_BATCH));
        assertThat(b.stream().mapToInt(x -> x.length).sum()).isEqualTo(t.size()).isEqualTo(1022);
        assertThat(t.batches(100)).hasSize(11);
    }

    @Test
    void largeRangesNeedForce() {
        assertThatThrownBy(() -> TargetList.of(List.of(Cidr.parse("198.18.0.0/15")), List.of(), 1, 65_536, false))
                .hasMessageContaining("refusing to sweep 131070 addresses").hasMessageContaining("--force");
        assertThat(TargetList.of(List.of(Cidr.parse("198.18.0.0/15")), List.of(), 1, 65_536, true).size())
                .isEqualTo(131_070);
    }

    @Test
    void aSweepOutsideTheAllowListIsRefusedBeforeAnythingIsSent() {
        ScanPolicy p = ScanPolicy.defaults().withNetworks(List.of(Cidr.parse("198.18.0.0/24")),
                List.of(Cidr.parse("198.18.0.192/26")));
        assertThatThrownBy(() -> p.check(List.of(Cidr.parse("203.0.113.0/24"))))
                .isInstanceOf(ScanPolicy.Refused.class)
                .hasMessageStartingWith("scan refused, nothing was sent: 203.0.113.0/24 is not inside any network you"
                        + " have consent to scan (scanner.allow_networks: [198.18.0.0/24])");
        assertThatThrownBy(() -> p.check(List.of(Cidr.parse("198.18.0.0/23"))))
                .as("partly outside is refused too").hasMessageContaining("198.18.0.0/23 is not inside");
        assertThatThrownBy(() -> p.check(List.of(Cidr.parse("198.18.0.0/24"))))
                .as("deny wins over allow: refused").hasMessageContaining("overlaps the denied network 198.18.0.192/26");
    }

    @Test
    void theDefaultPolicyAllowsLoopbackOnly() throws Exception {
        ScanPolicy.defaults().check(List.of(Cidr.parse("127.0.0.1")));
        assertThatThrownBy(() -> ScanPolicy.defaults().check(List.of(Cidr.parse("192.0.2.0/24"))))
                .isInstanceOf(ScanPolicy.Refused.class);
        assertThatThrownBy(() -> ScanPolicy.defaults().withNetworks(List.of(), List.of()))
                .hasMessageStartingWith("scanner.allow_networks: empty");
    }

    @Test
    void limitsAndProfilesAreValidated() {
        assertThat(ScanPolicy.defaults().packetsPerSecond()).isEqualTo(500);
        assertThat(ScanPolicy.defaults().withProfile("aggressive").packetsPerSecond()).isEqualTo(10_000);
        assertThatThrownBy(() -> ScanPolicy.defaults().withProfile("insane"))
                .hasMessageContaining("polite, normal or aggressive");
        assertThatThrownBy(() -> new ScanPolicy(List.of(Cidr.parse("198.18.0.0/24")), List.of(), 100, 500, 10, 1,
                java.time.Duration.ofSeconds(1))).hasMessageStartingWith("scanner.burst:");
    }
}
