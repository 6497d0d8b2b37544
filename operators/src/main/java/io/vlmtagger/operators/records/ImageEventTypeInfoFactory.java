package io.vlmtagger.operators.records;

import java.lang.reflect.Type;
import java.util.Map;

import io.vlmtagger.schemas.ImageEvent;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Makes Flink serialize an {@link ImageEvent} field with Avro. Without it, Flink analyses the field
 * of a POJO as a POJO itself, the {@code image} union (typed {@code Object}) falls back to Kryo, and
 * Kryo fails on Java 17 on the {@code ByteBuffer} of inline images ("module java.base does not
 * opens java.nio").
 */
public class ImageEventTypeInfoFactory extends TypeInfoFactory<ImageEvent> {
    @Override
    public TypeInformation<ImageEvent> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return new AvroTypeInfo<>(ImageEvent.class);
    }
}
