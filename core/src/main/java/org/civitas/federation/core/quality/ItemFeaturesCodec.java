package org.civitas.federation.core.quality;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** A compact binary form of {@link ItemFeatures}, for storing the per-item pass between the job's steps. */
public final class ItemFeaturesCodec {

    private static final int VERSION = 1;

    private ItemFeaturesCodec() {
    }

    public static byte[] encode(ItemFeatures f) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeInt(f.line());
            out.writeUTF(f.id());
            writeNullable(out, f.label());
            writeNullable(out, f.scenario());
            out.writeBoolean(f.hasImage());
            out.writeBoolean(f.hasText());
            out.writeUTF(f.contentHash());
            out.writeShort(f.piiKinds().size());
            for (String kind : f.piiKinds()) {
                out.writeUTF(kind);
            }
            writeNullable(out, f.schemaProblem());
            ImageMeasures m = f.image();
            out.writeBoolean(m != null);
            if (m != null) {
                out.writeDouble(m.sharpness());
                out.writeDouble(m.meanLuminance());
                out.writeDouble(m.darkShare());
                out.writeDouble(m.brightShare());
                out.writeShort(m.thumbnails().length);
                for (float[] t : m.thumbnails()) {
                    writeFloats(out, t);
                }
                writeFloats(out, m.colourHistogram());
            }
            out.writeBoolean(f.textEmbedding() != null);
            if (f.textEmbedding() != null) {
                writeFloats(out, f.textEmbedding());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static ItemFeatures decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("item features of version " + version + "; this build reads version " + VERSION);
            }
            int line = in.readInt();
            String id = in.readUTF();
            String label = readNullable(in);
            String scenario = readNullable(in);
            boolean hasImage = in.readBoolean();
            boolean hasText = in.readBoolean();
            String hash = in.readUTF();
            int kinds = in.readShort();
            List<String> pii = new ArrayList<>(kinds);
            for (int i = 0; i < kinds; i++) {
                pii.add(in.readUTF());
            }
            String schema = readNullable(in);
            ImageMeasures m = null;
            if (in.readBoolean()) {
                double sharpness = in.readDouble();
                double luminance = in.readDouble();
                double dark = in.readDouble();
                double bright = in.readDouble();
                float[][] thumbs = new float[in.readShort()][];
                for (int i = 0; i < thumbs.length; i++) {
                    thumbs[i] = readFloats(in);
                }
                m = new ImageMeasures(sharpness, luminance, dark, bright, thumbs, readFloats(in));
            }
            float[] text = in.readBoolean() ? readFloats(in) : null;
            return new ItemFeatures(line, id, label, scenario, hasImage, hasText, hash, m, pii, schema, text);
        } catch (IOException e) {
            throw new UncheckedIOException("item features are truncated", e);
        }
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s.length() > 20_000 ? s.substring(0, 20_000) : s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        out.writeInt(v.length);
        for (float x : v) {
            out.writeFloat(x);
        }
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        float[] v = new float[in.readInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readFloat();
        }
        return v;
    }
}
