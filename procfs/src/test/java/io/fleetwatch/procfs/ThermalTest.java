package io.fleetwatch.procfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The sensor files as {@code grep -H .} prints them (the SSH collector's way of reading them): the development VM
 * (no sensor at all), and Intel, AMD, Raspberry Pi and thermal-zone-only hosts.
 */
class ThermalTest {
    static Double celsius(String fixture) {
        return Thermal.cpuCelsius(Thermal.fromGrep(Fixtures.read("temperature/" + fixture)));
    }

    @Test
    void theCpuPackageSensor() {
        assertThat(celsius("coretemp-two-packages.txt")).as("hottest package, not a core, ACPI or NVMe").isEqualTo(61.0);
        assertThat(celsius("k10temp.txt")).as("Tdie over Tctl, never the GPU's edge").isEqualTo(48.75);
        assertThat(celsius("raspberry-pi.txt")).isEqualTo(48.686);
        assertThat(celsius("thermal-zone-only.txt")).isEqualTo(47.0);
        assertThat(celsius("this-vm.txt")).as("a VM without sensors: none, not 0").isNull();
    }

    @Test
    void theSensorFilesAreFoundOnceAndThenReadAlone() {
        assertThat(Thermal.cpuSensors(Thermal.fromGrep(Fixtures.read("temperature/coretemp-two-packages.txt"))))
                .containsExactly("/sys/class/hwmon/hwmon2/temp1_input", "/sys/class/hwmon/hwmon3/temp1_input");
        assertThat(Thermal.cpuSensors(Thermal.fromGrep("/sys/class/hwmon/hwmon4/name:k10temp\n"
                + "/sys/class/hwmon/hwmon4/temp1_input:40125\n"))).as("k10temp without labels (before 5.6)")
                .containsExactly("/sys/class/hwmon/hwmon4/temp1_input");
        assertThat(Thermal.celsius("0\n")).as("a broken sensor").isNull();
        assertThat(Thermal.celsius("-273150")).isNull();
    }
}
