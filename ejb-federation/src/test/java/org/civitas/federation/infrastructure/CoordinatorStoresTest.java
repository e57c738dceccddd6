package org.civitas.federation.infrastructure;

import org.civitas.domain.federation.UpdateRejectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CoordinatorStoresTest {

    private static CoordinatorStores stores(Path data) {
        CivitasSettings settings = new CivitasSettings();
        settings.dataDir = data.toString();
        CoordinatorStores stores = new CoordinatorStores();
        stores.settings = settings;
        return stores;
    }

    @Test
    void anUploadIsSpooledWithItsHashAndSizeAndStoringItMovesTheFile(@TempDir Path data) throws Exception {
        CoordinatorStores stores = stores(data);
        byte[] bytes = new byte[200_000];
        new java.util.Random(3).nextBytes(bytes);

        SpooledUpload spooled = stores.spool(new ByteArrayInputStream(bytes), bytes.length);

        assertThat(spooled.sha256()).isEqualTo(BlobStore.sha256(bytes));
        assertThat(spooled.sizeBytes()).isEqualTo(bytes.length);
        byte[] mapped = new byte[bytes.length];
        spooled.map().get(mapped);
        assertThat(mapped).isEqualTo(bytes);

        BlobStore.Stored stored = stores.updates().put(spooled.file(), spooled.sha256());
        assertThat(stored).isEqualTo(new BlobStore.Stored(BlobStore.sha256(bytes), bytes.length));
        assertThat(Files.exists(spooled.file())).as("moved, not copied").isFalse();
        assertThat(stores.updates().get(stored.key())).isEqualTo(bytes);
        assertThat(Files.readAllBytes(stores.updates().file(stored.key()))).as("the file a caller streams").isEqualTo(bytes);
        spooled.close();
    }

    @Test
    void aMissingBlobsFileIsNamedAndABadKeyRefused(@TempDir Path data) {
        CoordinatorStores stores = stores(data);
        String absent = "ab".repeat(32);

        assertThatThrownBy(() -> stores.models().file(absent)).hasMessageContaining("blob " + absent + " is missing");
        assertThatThrownBy(() -> stores.models().file("../etc/passwd")).hasMessageContaining("not a blob key");
    }

    @Test
    void anUploadOverTheLimitIsRefusedAsItArrivesAndLeavesNothingBehind(@TempDir Path data) throws Exception {
        CoordinatorStores stores = stores(data);

        assertThatThrownBy(() -> stores.spool(new ByteArrayInputStream(new byte[100_001]), 100_000))
                .isInstanceOf(UpdateRejectedException.class).hasMessage("update exceeds the limit of 100000 bytes");

        try (var left = Files.list(data.resolve("coordinator").resolve("incoming"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void closingARefusedUploadDeletesItsFile(@TempDir Path data) {
        SpooledUpload spooled = stores(data).spool(new ByteArrayInputStream(new byte[] {1, 2, 3}), 10);

        spooled.close();

        assertThat(Files.exists(spooled.file())).isFalse();
    }
}
