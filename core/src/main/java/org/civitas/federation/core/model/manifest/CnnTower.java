package org.civitas.federation.core.model.manifest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A convolutional image tower trained with the model, as the manifest declares it: convolution
 * blocks, an optional normalisation, how the last feature map becomes a vector, then dense layers.
 *
 * <pre>
 * block i:  x = pool_p(relu(norm(conv_k,s(x))))                          (plain)
 *           x = pool_p(relu(x + norm(conv_k(relu(norm(conv_k(x)))))))      (residual: He et al. 2016)
 * output:   flatten (keeps where things are) or the mean over the map
 * dense j:  x = dropout(relu(W_j x + b_j))
 * </pre>
 *
 * Convolutions pad by half their kernel, so a stride-1 block keeps the map's side and pooling
 * (max, kernel and stride {@code pool}) divides it. Normalisation is GroupNorm (Wu and He 2018) or
 * none, never BatchNorm: BatchNorm's running statistics are averaged across sites whose data differ,
 * and the averaged statistics fit none of them (Hsieh et al., "The Non-IID Data Quagmire of
 * Decentralized Machine Learning", ICML 2020); GroupNorm normalises each sample by itself and has
 * no statistics to average.
 *
 * <p>Tensors are named {@code image.conv<i>}, {@code image.norm<i>} (and {@code image.conv<i>b},
 * {@code image.norm<i>b} for a residual block's second convolution) and {@code image.dense<j>}, so
 * the first manifests' towers ({@link #ofChannels}) keep the names their federations stored.
 *
 * @param inputChannels 1 (grayscale: the model takes the mean of the RGB channels) or 3
 * @param norm          {@code group} or {@code none}
 * @param groups        GroupNorm's groups, dividing every block's channels; 0 without normalisation
 * @param output        {@code flatten} or {@code mean}
 * @param dropout       rate after each dense layer while training, in [0, 1)
 */
public record CnnTower(int inputChannels, List<ConvBlock> blocks, String norm, int groups, List<Integer> dense, double dropout,
                       String output) {

    public static final Set<String> NORMS = Set.of("group", "none");
    public static final Set<String> OUTPUTS = Set.of("flatten", "mean");
    /** Presets a manifest may name instead of spelling the blocks out. */
    public static final Set<String> PRESETS = Set.of("small", "residual");

    /** A convolution of {@code channels} outputs, {@code kernel} x {@code kernel}, then max pooling by {@code pool} (1: none). */
    public record ConvBlock(int channels, int kernel, int stride, int pool, boolean residual) {
    }

    public CnnTower {
        blocks = List.copyOf(blocks);
        dense = List.copyOf(dense);
    }

    /** The tower of the first manifests ({@code "channels": [8, 16]}): 3x3 stride-2 convolutions with ReLU, averaged over the map. */
    public static CnnTower ofChannels(List<Integer> channels) {
        return new CnnTower(3, channels.stream().map(c -> new ConvBlock(c, 3, 2, 1, false)).toList(), "none", 0, List.of(), 0,
                "mean");
    }

    /**
     * {@code small}: for images up to about 64 px. The standard small CNN of federated benchmarks
     * (McMahan et al. 2017: two 5x5 convolutions of 32 and 64 channels, each max-pooled by 2, then a
     * dense layer) with GroupNorm, and a dense layer of 128.
     * {@code residual}: for larger images. A 3x3 stem and three stages of 32, 64 and 128 channels,
     * each a convolution and a residual block, pooled by 2 after the first two, then the mean over the map.
     */
    public static CnnTower preset(String name, int inputChannels) {
        return switch (name) {
            case "small" -> new CnnTower(inputChannels, List.of(new ConvBlock(32, 5, 1, 2, false), new ConvBlock(64, 5, 1, 2, false)),
                    "group", 8, List.of(128), 0, "flatten");
            case "residual" -> new CnnTower(inputChannels, List.of(new ConvBlock(32, 3, 1, 2, false), new ConvBlock(32, 3, 1, 2, true),
                    new ConvBlock(64, 3, 1, 1, false), new ConvBlock(64, 3, 1, 2, true), new ConvBlock(128, 3, 1, 1, false),
                    new ConvBlock(128, 3, 1, 1, true)), "group", 8, List.of(), 0, "mean");
            default -> throw new IllegalArgumentException("image.preset must be one of " + new java.util.TreeSet<>(PRESETS) + ", was '"
                    + name + "'");
        };
    }

    /** Side of the map after a convolution padded by half its kernel. */
    static int convolved(int side, ConvBlock b) {
        return (side + 2 * (b.kernel() / 2) - b.kernel()) / b.stride() + 1;
    }

    /** Side of the square feature map after each block, for input images of {@code size} px; a side below 1 means the map vanished. */
    public int[] sides(int size) {
        int[] sides = new int[blocks.size()];
        int side = size;
        for (int i = 0; i < blocks.size(); i++) {
            side = convolved(side, blocks.get(i)) / blocks.get(i).pool();
            sides[i] = side;
        }
        return sides;
    }

    /** Width of the vector after the blocks: the flattened map, or its channels when averaged. */
    public int mapFeatures(int size) {
        int channels = blocks.get(blocks.size() - 1).channels();
        if ("mean".equals(output)) {
            return channels;
        }
        int side = sides(size)[blocks.size() - 1];
        return channels * side * side;
    }

    /** Width of the tower's output, which the fusion layer reads. */
    public int outputDim(int size) {
        return dense.isEmpty() ? mapFeatures(size) : dense.get(dense.size() - 1);
    }

    /** The tower's trainable tensors, in the order of the forward pass. */
    public Map<String, int[]> shapes(int size) {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        int in = inputChannels;
        for (int i = 0; i < blocks.size(); i++) {
            ConvBlock b = blocks.get(i);
            String n = Integer.toString(i + 1);
            convAndNorm(shapes, n, in, b);
            if (b.residual()) {
                convAndNorm(shapes, n + "b", b.channels(), b);
            }
            in = b.channels();
        }
        int width = mapFeatures(size);
        for (int j = 0; j < dense.size(); j++) {
            shapes.put("image.dense" + (j + 1) + ".weight", new int[] {dense.get(j), width});
            shapes.put("image.dense" + (j + 1) + ".bias", new int[] {dense.get(j)});
            width = dense.get(j);
        }
        return shapes;
    }

    /** The tower's layers an adapter may target: {@code image.conv<i>} per block (both convolutions of a residual one), {@code image.dense<j>}. */
    public List<String> layers() {
        List<String> layers = new java.util.ArrayList<>();
        for (int i = 1; i <= blocks.size(); i++) {
            layers.add("image.conv" + i);
        }
        for (int j = 1; j <= dense.size(); j++) {
            layers.add("image.dense" + j);
        }
        return layers;
    }

    /** The layer a tensor of the tower belongs to: {@code image.conv2b.weight} and {@code image.norm2.bias} to {@code image.conv2}. */
    public static String layerOf(String tensor) {
        String name = tensor.substring(0, tensor.lastIndexOf('.'));
        if (name.startsWith("image.norm")) {
            name = "image.conv" + name.substring("image.norm".length());
        }
        return name.endsWith("b") ? name.substring(0, name.length() - 1) : name;
    }

    /**
     * The tensors a federation trains and exchanges: every tensor of a fully trained layer; for a layer
     * in {@code loraLayers}, LoRA's A and B beside its frozen weight and bias, named as PEFT names them
     * (a convolution's A [rank, in, k, k] and B [out, rank, 1, 1], a dense layer's A [rank, in] and B
     * [out, rank]). GroupNorm's scales and shifts stay trained in every block: a few numbers a channel
     * that let a frozen block follow the new domain's statistics.
     */
    public Map<String, int[]> trainableShapes(int size, java.util.Set<String> loraLayers, int rank) {
        Map<String, int[]> trainable = new LinkedHashMap<>();
        shapes(size).forEach((name, shape) -> {
            boolean frozen = loraLayers.contains(layerOf(name)) && !name.startsWith("image.norm");
            if (!frozen) {
                trainable.put(name, shape);
            } else if (name.endsWith(".weight")) {
                String layer = name.substring(0, name.length() - ".weight".length());
                if (shape.length == 4) {
                    trainable.put(layer + ".lora_A.weight", new int[] {rank, shape[1], shape[2], shape[3]});
                    trainable.put(layer + ".lora_B.weight", new int[] {shape[0], rank, 1, 1});
                } else {
                    trainable.put(layer + ".lora_A.weight", new int[] {rank, shape[1]});
                    trainable.put(layer + ".lora_B.weight", new int[] {shape[0], rank});
                }
            }
        });
        return trainable;
    }

    private void convAndNorm(Map<String, int[]> shapes, String n, int in, ConvBlock b) {
        shapes.put("image.conv" + n + ".weight", new int[] {b.channels(), in, b.kernel(), b.kernel()});
        shapes.put("image.conv" + n + ".bias", new int[] {b.channels()});
        if ("group".equals(norm)) {
            shapes.put("image.norm" + n + ".weight", new int[] {b.channels()});
            shapes.put("image.norm" + n + ".bias", new int[] {b.channels()});
        }
    }

    /** Trainable parameters of the tower. */
    public long parameters(int size) {
        return shapes(size).values().stream().mapToLong(s -> {
            long n = 1;
            for (int d : s) {
                n *= d;
            }
            return n;
        }).sum();
    }

    /** Multiply-adds of one image's forward pass through the convolutions and dense layers (a training step costs about three times this). */
    public long multiplyAddsPerImage(int size) {
        long total = 0;
        int side = size;
        int in = inputChannels;
        for (ConvBlock b : blocks) {
            int out = convolved(side, b);
            long perConv = (long) out * out * b.channels() * b.kernel() * b.kernel();
            total += perConv * in;
            if (b.residual()) {
                total += perConv * b.channels();
            }
            side = out / b.pool();
            in = b.channels();
        }
        int width = mapFeatures(size);
        for (int d : dense) {
            total += (long) width * d;
            width = d;
        }
        return total;
    }
}
