/**
 * Shared scalar values and arrays with atomic operations, across threads and processes:
 * {@link io.jshm.values.SharedInt}, {@link io.jshm.values.SharedLong},
 * {@link io.jshm.values.SharedDouble} and the arrays {@link io.jshm.values.SharedIntArray},
 * {@link io.jshm.values.SharedLongArray}, {@link io.jshm.values.SharedDoubleArray}. Each is a
 * named file (on {@code /dev/shm} by default) that any process may open; each carries its own
 * robust interprocess lock for compound updates. The file layout is in
 * {@link io.jshm.values.ValueDescriptor}.
 */
package io.jshm.values;
