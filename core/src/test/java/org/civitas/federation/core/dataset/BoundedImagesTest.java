package org.civitas.federation.core.dataset;

import org.civitas.federation.core.quality.ItemFeatures;
import org.civitas.federation.core.quality.ItemInspector;
import org.civitas.federation.core.quality.PiiScanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Image bombs: a small file that declares a huge image is refused from its header, before any decoding. */
class BoundedImagesTest {

    @TempDir
    Path dir;

    /** A valid grey PNG of width x height, all black: a few kilobytes per ten megapixels. */
    public static byte[] bomb(int width, int height) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(png);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit greyscale, deflate, no filter, no interlace
        chunk(out, "IHDR", ihdr.toByteArray());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            byte[] row = new byte[width + 1];
            for (int y = 0; y < height; y++) {
                z.write(row);
            }
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        out.writeInt(data.length);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    @Test
    void refusesFromTheHeaderAndDecodesWhatFits() throws Exception {
        byte[] bomb = bomb(8000, 8000);
        assertThat(bomb.length).isLessThan(100_000);

        assertThatThrownBy(() -> BoundedImages.read(bomb, BoundedImages.DEFAULT_MAX_PIXELS))
                .isInstanceOf(BoundedImages.TooLargeException.class)
                .hasMessage("the image is 8000 x 8000 pixels (64000000), over the limit of 40000000 pixels (civitas.images.max-pixels)");
        BufferedImage small = BoundedImages.read(bomb(40, 25), 1000);
        assertThat(small.getWidth()).isEqualTo(40);
        assertThat(small.getHeight()).isEqualTo(25);
        assertThatThrownBy(() -> BoundedImages.read(bomb(40, 26), 1000)).isInstanceOf(BoundedImages.TooLargeException.class);
        assertThat(BoundedImages.read("not an image".getBytes(), 1000)).isNull();
    }

    @Test
    void importAndQualityReportTheLineInsteadOfDecodingIt() throws Exception {
        Files.write(dir.resolve("bomb.png"), bomb(8000, 8000));
        BufferedImage fine = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(fine, "png", dir.resolve("fine.png").toFile());
        Path manifest = Files.write(dir.resolve("train.jsonl"), List.of(
                "{\"id\": \"a\", \"image\": \"fine.png\", \"label\": \"flooding\"}",
                "{\"id\": \"b\", \"image\": \"bomb.png\", \"label\": \"flooding\"}"));

        ManifestImporter.Report report = ManifestImporter.check(manifest, Set.of("flooding"), true, BoundedImages.DEFAULT_MAX_PIXELS);
        assertThat(report.summary().samples()).isEqualTo(1);
        assertThat(report.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.error()).isEqualTo("image bomb.png is refused: the image is 8000 x 8000 pixels (64000000), over the limit"
                    + " of 40000000 pixels (civitas.images.max-pixels)");
        });

        ItemInspector inspector = new ItemInspector(dir, Set.of("flooding"), new PiiScanner(List.of()), BoundedImages.DEFAULT_MAX_PIXELS);
        ItemFeatures bombed = inspector.inspect(2, Files.readAllLines(manifest).get(1));
        assertThat(bombed.schemaProblem()).contains("is refused: the image is 8000 x 8000 pixels");
        assertThat(inspector.inspect(1, Files.readAllLines(manifest).get(0)).schemaProblem()).isNull();
    }
}
