package io.vlmtagger.operators.results;

import java.lang.reflect.Type;
import java.util.Map;

import io.vlmtagger.schemas.EnrichedImage;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/** Makes Flink serialize an {@link EnrichedImage} field of a POJO with Avro (not Kryo). */
public class EnrichedImageTypeInfoFactory extends TypeInfoFactory<EnrichedImage> {
    @Override
    public TypeInformation<EnrichedImage> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return new AvroTypeInfo<>(EnrichedImage.class);
    }
}
