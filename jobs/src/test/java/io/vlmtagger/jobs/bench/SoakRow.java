package io.vlmtagger.jobs.bench;

/**
 * One sample of the soak: counters, the pipeline's depth (produced but not yet out or dead-lettered)
 * now and its maximum since the previous sample (the depth is read every second), this JVM's
 * memory, the broker child's resident memory, and the Lucene index on disk.
 */
record SoakRow(double seconds, long produced, long out, long dead, long depth, long maxDepth,
               MemorySample jvm, ProcStatus broker, long indexBytes, int indexFiles) {}
