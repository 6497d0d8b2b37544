/**
 * The ingest stages of the tagging job, in order:
 *
 * <pre>{@code
 * KafkaSource<RawKafkaRecord> source = KafkaSource.<RawKafkaRecord>builder()
 *         .setDeserializer(new RawRecordDeserializationSchema())...build();      // never throws
 * SingleOutputStreamOperator<ImageTask> decoded = env.fromSource(source, ...)
 *         .process(DecodeFunction.builder().build());                           // DECODE dead letters
 * DataStream<Outcome<ImageTask>> fetched = AsyncDataStream.unorderedWait(decoded,
 *         new AsyncFetchFunction(fetcherOptions), timeout, unit, capacity)
 *         .returns(AsyncFetchFunction.OUTPUT_TYPE);
 * SingleOutputStreamOperator<ImageTask> withBytes =
 *         fetched.process(OutcomeRouter.of(ImageTask.class));                  // FETCH dead letters
 * DataStream<DeadLetter> deadLetters = decoded.getSideOutput(DeadLetters.TAG)
 *         .union(withBytes.getSideOutput(DeadLetters.TAG));
 * deadLetters.sinkTo(KafkaSink.<DeadLetter>builder()
 *         .setRecordSerializer(AvroKafkaRecordSerializer.deadLetters(topic))...build());
 * }</pre>
 *
 * Give the async operator a timeout above the fetcher's connect + read timeouts, so that the
 * fetcher's own, more specific reasons win; an operator timeout still only dead-letters the record.
 */
package io.vlmtagger.operators.ingest;
