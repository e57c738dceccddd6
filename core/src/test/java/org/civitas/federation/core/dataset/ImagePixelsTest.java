package org.civitas.federation.core.dataset;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImagePixelsTest {

    @Test
    void aFlatImageScalesToItsColourAndMapsToMinusOneToOneChannelsFirst() {
        BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                image.setRGB(x, y, 0xff8000);
            }
        }
        byte[] rgb = ImagePixels.rgb(image, 4);
        assertThat(rgb).hasSize(48);
        for (int i = 0; i < 16; i++) {
            assertThat(rgb[3 * i] & 0xff).isEqualTo(0xff);
            assertThat(rgb[3 * i + 1] & 0xff).isEqualTo(0x80);
            assertThat(rgb[3 * i + 2] & 0xff).isZero();
        }
        float[] chw = ImagePixels.chw(rgb, 4);
        assertThat(chw[0]).isEqualTo(1f);
        assertThat(chw[16]).isEqualTo(128 / 127.5f - 1f);
        assertThat(chw[32]).isEqualTo(-1f);
    }

    @Test
    void pixelsOfAnotherSizeAreRefused() {
        assertThatThrownBy(() -> ImagePixels.chw(new byte[47], 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pixels: 47 bytes, not the 48 of a 4 x 4 RGB image");
    }
}
