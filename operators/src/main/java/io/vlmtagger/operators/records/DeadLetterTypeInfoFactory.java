package io.vlmtagger.operators.records;

import java.lang.reflect.Type;
import java.util.Map;

import io.vlmtagger.schemas.DeadLetter;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Makes Flink serialize a {@link DeadLetter} field with Avro (its {@code originalBytes} is a
 * {@code ByteBuffer}, which the Kryo fallback cannot handle on Java 17). See
 * {@link ImageEventTypeInfoFactory}.
 */
public class DeadLetterTypeInfoFactory extends TypeInfoFactory<DeadLetter> {
    @Override
    public TypeInformation<DeadLetter> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return new AvroTypeInfo<>(DeadLetter.class);
    }
}
