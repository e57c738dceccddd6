package org.civitas.worker;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import org.civitas.federation.core.tensor.NamedTensors;
import org.civitas.federation.core.tensor.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights of an ONNX model, read with the protobuf library against the few messages of the ONNX
 * schema they need (ModelProto's graph, GraphProto's nodes and initializers, NodeProto, TensorProto),
 * declared here by their field numbers; every other field is skipped as unknown. The exporter names
 * a linear layer's weight after no layer ({@code onnx::MatMul_787}) and stores it as [in, out]; the
 * {@code MatMul} node that reads it carries the layer's path ({@code /encoder/layer.0/attention/self/query/MatMul}),
 * so such a weight is named after its node ({@code encoder.layer.0.attention.self.query.weight}) and
 * transposed to [out, in], as PyTorch and PEFT name and shape it.
 */
final class OnnxWeights {

    private static final int FLOAT = 1;

    private static final Descriptors.Descriptor MODEL;
    private static final Descriptors.Descriptor GRAPH;
    private static final Descriptors.Descriptor NODE;
    private static final Descriptors.Descriptor TENSOR;

    static {
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("civitas_onnx_subset.proto").setPackage("civitas.onnx")
                .addMessageType(message("TensorProto", repeated("dims", 1, FieldDescriptorProto.Type.TYPE_INT64),
                        optional("data_type", 2, FieldDescriptorProto.Type.TYPE_INT32),
                        packed(repeated("float_data", 4, FieldDescriptorProto.Type.TYPE_FLOAT)),
                        optional("name", 8, FieldDescriptorProto.Type.TYPE_STRING),
                        optional("raw_data", 9, FieldDescriptorProto.Type.TYPE_BYTES)))
                .addMessageType(message("NodeProto", repeated("input", 1, FieldDescriptorProto.Type.TYPE_STRING),
                        repeated("output", 2, FieldDescriptorProto.Type.TYPE_STRING),
                        optional("name", 3, FieldDescriptorProto.Type.TYPE_STRING),
                        optional("op_type", 4, FieldDescriptorProto.Type.TYPE_STRING)))
                .addMessageType(message("GraphProto", repeatedMessage("node", 1, ".civitas.onnx.NodeProto"),
                        repeatedMessage("initializer", 5, ".civitas.onnx.TensorProto")))
                .addMessageType(message("ModelProto", optionalMessage("graph", 7, ".civitas.onnx.GraphProto")))
                .build();
        try {
            Descriptors.FileDescriptor schema = Descriptors.FileDescriptor.buildFrom(file, new Descriptors.FileDescriptor[0]);
            MODEL = schema.findMessageTypeByName("ModelProto");
            GRAPH = schema.findMessageTypeByName("GraphProto");
            NODE = schema.findMessageTypeByName("NodeProto");
            TENSOR = schema.findMessageTypeByName("TensorProto");
        } catch (Descriptors.DescriptorValidationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private OnnxWeights() {
    }

    /**
     * The float initializers of an ONNX model by name, those read by a {@code MatMul} node renamed after
     * it and transposed (see the class comment); integer initializers (position ids) are left out.
     *
     * @throws IllegalArgumentException when the bytes are not an ONNX model
     */
    static NamedTensors read(byte[] onnx) {
        DynamicMessage model;
        try {
            model = DynamicMessage.parseFrom(MODEL, onnx);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
        DynamicMessage graph = (DynamicMessage) model.getField(MODEL.findFieldByName("graph"));
        Map<String, String> layerOf = new HashMap<>();
        for (Object n : (List<?>) graph.getField(GRAPH.findFieldByName("node"))) {
            DynamicMessage node = (DynamicMessage) n;
            String op = (String) node.getField(NODE.findFieldByName("op_type"));
            String name = (String) node.getField(NODE.findFieldByName("name"));
            List<?> inputs = (List<?>) node.getField(NODE.findFieldByName("input"));
            if ("MatMul".equals(op) && name.endsWith("/MatMul") && inputs.size() == 2) {
                String path = name.substring(name.startsWith("/") ? 1 : 0, name.length() - "/MatMul".length()).replace('/', '.');
                layerOf.put((String) inputs.get(1), path + ".weight");
            }
        }
        NamedTensors.Builder weights = NamedTensors.builder();
        for (Object t : (List<?>) graph.getField(GRAPH.findFieldByName("initializer"))) {
            DynamicMessage tensor = (DynamicMessage) t;
            if ((Integer) tensor.getField(TENSOR.findFieldByName("data_type")) != FLOAT) {
                continue;
            }
            String name = (String) tensor.getField(TENSOR.findFieldByName("name"));
            List<?> dims = (List<?>) tensor.getField(TENSOR.findFieldByName("dims"));
            int[] shape = new int[dims.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = Math.toIntExact((Long) dims.get(i));
            }
            float[] values = values(tensor, (int) Tensor.elementCount(shape));
            String layer = layerOf.get(name);
            if (layer != null && shape.length == 2) {
                weights.put(layer, transposed(shape, values));
            } else {
                weights.put(name, new Tensor(shape, values));
            }
        }
        return weights.build();
    }

    /** The values, from raw_data (little-endian) or from float_data. */
    private static float[] values(DynamicMessage tensor, int count) {
        ByteString raw = (ByteString) tensor.getField(TENSOR.findFieldByName("raw_data"));
        float[] values = new float[count];
        if (!raw.isEmpty()) {
            ByteBuffer.wrap(raw.toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return values;
        }
        List<?> floats = (List<?>) tensor.getField(TENSOR.findFieldByName("float_data"));
        for (int i = 0; i < count; i++) {
            values[i] = (Float) floats.get(i);
        }
        return values;
    }

    private static Tensor transposed(int[] shape, float[] values) {
        int rows = shape[0];
        int cols = shape[1];
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = values[r * cols + c];
            }
        }
        return new Tensor(new int[] {cols, rows}, out);
    }

    private static DescriptorProto message(String name, FieldDescriptorProto.Builder... fields) {
        DescriptorProto.Builder b = DescriptorProto.newBuilder().setName(name);
        for (FieldDescriptorProto.Builder f : fields) {
            b.addField(f);
        }
        return b.build();
    }

    private static FieldDescriptorProto.Builder optional(String name, int number, FieldDescriptorProto.Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(FieldDescriptorProto.Label.LABEL_OPTIONAL);
    }

    private static FieldDescriptorProto.Builder repeated(String name, int number, FieldDescriptorProto.Type type) {
        return optional(name, number, type).setLabel(FieldDescriptorProto.Label.LABEL_REPEATED);
    }

    private static FieldDescriptorProto.Builder packed(FieldDescriptorProto.Builder field) {
        return field.setOptions(com.google.protobuf.DescriptorProtos.FieldOptions.newBuilder().setPacked(true));
    }

    private static FieldDescriptorProto.Builder optionalMessage(String name, int number, String type) {
        return optional(name, number, FieldDescriptorProto.Type.TYPE_MESSAGE).setTypeName(type);
    }

    private static FieldDescriptorProto.Builder repeatedMessage(String name, int number, String type) {
        return repeated(name, number, FieldDescriptorProto.Type.TYPE_MESSAGE).setTypeName(type);
    }
}
