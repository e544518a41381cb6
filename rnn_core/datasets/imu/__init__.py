"""IMU recordings: reading files of common tools (reader, parse, formats, raw, archive, timebase,
units, convert), the samples as the sensor gave them (samples), attitude estimates a device can make
(attitude, attitude_filters), the table a model reads (table) and its windows (prepare); several
recordings with a role each (recordings, broad_set) and the task of correcting a filter
(correction); a simulator and writers for tests (simulator, export)."""
