package io.fleetwatch.procfs;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.sampling.FilesystemUsage;
import org.junit.jupiter.api.Test;

/**
 * /proc/mounts and {@code df -P -k} captured together on the development VM, and a host with LVM, an EFI partition,
 * a mount point with a space, a bind mount, a snap, a container overlay and an NFS home.
 */
class FilesystemsTest {
    @Test
    void onlyRealFileSystemsOncePerDevice() {
        assertThat(Mounts.real(Fixtures.read("filesystems/mounts-layered"))).extracting(Mounts.Mount::mountPoint)
                .containsExactly("/", "/boot/efi", "/srv/lab data");
        assertThat(Mounts.real(Fixtures.read("filesystems/mounts"))).containsExactly(
                new Mounts.Mount("/dev/vda", "/", "ext4"));
        assertThat(Mounts.unescape("/a\\040b\\134c\\011")).isEqualTo("/a b\\c\t");
        assertThat(Mounts.unescape("/a\\04")).as("not an escape").isEqualTo("/a\\04");
    }

    @Test
    void eachRealMountWithItsDfLine() {
        assertThat(Filesystems.fromDf(Fixtures.read("filesystems/mounts"), Fixtures.read("filesystems/df.txt")))
                .containsExactly(new FilesystemUsage("/", 23.0, 264212084L * 1024));
        assertThat(Filesystems.fromDf(Fixtures.read("filesystems/mounts-layered"),
                Fixtures.read("filesystems/df-layered.txt"))).containsExactly(
                new FilesystemUsage("/", 20.0, 479596204L * 1024),
                new FilesystemUsage("/boot/efi", 2.0, 523248L * 1024),
                new FilesystemUsage("/srv/lab data", 61.0, 1952559104L * 1024));
        assertThat(Filesystems.fromDf(Fixtures.read("filesystems/mounts-layered"), "Filesystem 1024-blocks\n"))
                .as("df printed nothing").isEmpty();
    }
}
