package org.civitas.federation.core.model.manifest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a CNN image tower declared block by block, or by preset, from a manifest's {@code image}
 * object, each problem naming its field ({@code image.blocks[1].kernel}).
 */
final class CnnTowerFields {

    /** Beyond this a site's update (4 bytes a parameter) outgrows what a round should carry for one tower. */
    static final long MAX_PARAMETERS = 50_000_000L;

    private static final java.util.regex.Pattern BASE = java.util.regex.Pattern.compile("sha256:[0-9a-f]{64}");

    private static final Set<String> BLOCK_FIELDS = Set.of("channels", "kernel", "stride", "pool", "residual");

    private CnnTowerFields() {
    }

    static ModelManifest.ImageTower parse(ModelManifest.Fields f) {
        f.only("image", "kind", "size", "inputChannels", "preset", "blocks", "norm", "groups", "dense", "dropout", "output", "base");
        String base = f.present("image.base") ? f.string("image.base", true) : null;
        if (base != null && !BASE.matcher(base).matches()) {
            f.problem("image.base names the tower's pretrained weights by their hash, 'sha256:<64 lowercase hex digits>', was '" + base + "'");
        }
        int size = f.integer("image.size", 8, 256, true);
        int inputChannels = f.present("image.inputChannels") ? f.integer("image.inputChannels", 1, 3, true) : 3;
        if (inputChannels == 2) {
            f.problem("image.inputChannels must be 1 (grayscale) or 3 (RGB), was 2");
        }
        CnnTower tower;
        if (f.present("image.preset")) {
            for (String field : List.of("blocks", "norm", "groups", "dense", "dropout", "output")) {
                if (f.present("image." + field)) {
                    f.problem("image.preset names a whole tower; leave out image." + field + ", or leave out image.preset and declare the blocks");
                }
            }
            String preset = f.string("image.preset", true);
            if (preset == null || !CnnTower.PRESETS.contains(preset)) {
                if (preset != null) {
                    f.problem("image.preset must be one of " + new java.util.TreeSet<>(CnnTower.PRESETS) + ", was '" + preset + "'");
                }
                return null;
            }
            tower = CnnTower.preset(preset, Math.max(1, inputChannels));
        } else {
            tower = declared(f, Math.max(1, inputChannels));
            if (tower == null) {
                return null;
            }
        }
        if (size >= 8 && !checkShape(f, tower, size)) {
            return null;
        }
        return ModelManifest.ImageTower.of(size, tower, base);
    }

    private static CnnTower declared(ModelManifest.Fields f, int inputChannels) {
        Object raw = f.get("image.blocks");
        if (!(raw instanceof List<?> list) || list.isEmpty() || list.size() > 16) {
            f.problem("image.blocks must be a list of 1 to 16 convolution blocks, was " + (raw == null ? "missing" : raw));
            return null;
        }
        String norm = f.present("image.norm") ? f.string("image.norm", true) : "group";
        if ("batch".equals(norm)) {
            f.problem("image.norm 'batch' is not offered: BatchNorm's running statistics, averaged across sites whose data differ,"
                    + " fit none of them; use 'group' (GroupNorm) or 'none'");
        } else if (norm != null && !CnnTower.NORMS.contains(norm)) {
            f.problem("image.norm must be 'group' or 'none', was '" + norm + "'");
        }
        boolean grouped = "group".equals(norm);
        int groups = 0;
        if (grouped) {
            groups = f.present("image.groups") ? f.integer("image.groups", 1, 64, true) : 8;
        } else if (f.present("image.groups")) {
            f.problem("image.groups is GroupNorm's; it needs image.norm 'group'");
        }
        List<CnnTower.ConvBlock> blocks = new ArrayList<>();
        int in = inputChannels;
        for (int i = 0; i < list.size(); i++) {
            CnnTower.ConvBlock b = block(f, "image.blocks[" + i + "]", list.get(i));
            if (b == null) {
                return null;
            }
            if (b.residual() && (b.stride() != 1 || b.channels() != in)) {
                f.problem("image.blocks[" + i + "].residual adds the block's input to its output, so it needs stride 1 and as many"
                        + " channels as come in (" + in + "), has stride " + b.stride() + " and " + b.channels() + " channels");
            }
            if (grouped && groups > 0 && b.channels() % groups != 0) {
                f.problem("image.groups " + groups + " must divide image.blocks[" + i + "].channels " + b.channels());
            }
            blocks.add(b);
            in = b.channels();
        }
        List<Integer> dense = f.present("image.dense") ? f.integers("image.dense", 0, 4, 1, 4096) : List.of();
        double dropout = f.present("image.dropout") ? f.number("image.dropout", 0, 0.9) : 0;
        if (dropout > 0 && dense.isEmpty()) {
            f.problem("image.dropout acts after the dense layers, and image.dense declares none");
        }
        String output = f.present("image.output") ? f.string("image.output", true) : "flatten";
        if (output != null && !CnnTower.OUTPUTS.contains(output)) {
            f.problem("image.output must be 'flatten' or 'mean', was '" + output + "'");
            return null;
        }
        if (norm == null || !CnnTower.NORMS.contains(norm)) {
            return null;
        }
        return new CnnTower(inputChannels, blocks, norm, groups, dense, dropout, output);
    }

    private static CnnTower.ConvBlock block(ModelManifest.Fields f, String path, Object raw) {
        if (!(raw instanceof Map<?, ?> map)) {
            f.problem(path + " must be an object with channels, kernel, stride, pool and residual");
            return null;
        }
        boolean ok = true;
        for (Object key : map.keySet()) {
            if (!BLOCK_FIELDS.contains(key)) {
                f.problem(path + "." + key + " is not a known field");
                ok = false;
            }
        }
        Integer channels = integer(f, path + ".channels", map.get("channels"), null, 1, 512);
        Integer kernel = integer(f, path + ".kernel", map.get("kernel"), 3, 1, 11);
        Integer stride = integer(f, path + ".stride", map.get("stride"), 1, 1, 4);
        Integer pool = integer(f, path + ".pool", map.get("pool"), 1, 1, 4);
        Object residual = map.get("residual");
        if (residual != null && !(residual instanceof Boolean)) {
            f.problem(path + ".residual must be true or false, was " + residual);
            ok = false;
        }
        if (kernel != null && kernel % 2 == 0) {
            f.problem(path + ".kernel must be odd, so that padding by half of it keeps the map centred, was " + kernel);
            ok = false;
        }
        if (!ok || channels == null || kernel == null || stride == null || pool == null) {
            return null;
        }
        return new CnnTower.ConvBlock(channels, kernel, stride, pool, Boolean.TRUE.equals(residual));
    }

    /** The value, or {@code fallback} when absent (null fallback: required); null after a problem. */
    private static Integer integer(ModelManifest.Fields f, String path, Object v, Integer fallback, int min, int max) {
        if (v == null) {
            if (fallback == null) {
                f.problem(path + " is missing");
            }
            return fallback;
        }
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < min || ((Number) v).longValue() > max) {
            f.problem(path + " must be an integer in [" + min + ", " + max + "], was " + v);
            return null;
        }
        return ((Number) v).intValue();
    }

    /** The map must not vanish before the last block, and the tower must stay within {@link #MAX_PARAMETERS}. */
    private static boolean checkShape(ModelManifest.Fields f, CnnTower tower, int size) {
        int[] sides = tower.sides(size);
        for (int i = 0; i < sides.length; i++) {
            if (sides[i] < 1) {
                f.problem("image.blocks[" + i + "]: the feature map vanishes there for image.size " + size
                        + " (its strides and pooling divide the side below 1)");
                return false;
            }
        }
        long parameters = tower.parameters(size);
        if (parameters > MAX_PARAMETERS) {
            f.problem("image: the tower has " + parameters + " parameters for image.size " + size + ", more than " + MAX_PARAMETERS
                    + "; pool more, use image.output 'mean' or narrow image.dense");
            return false;
        }
        return true;
    }
}
