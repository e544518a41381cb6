"""A phone's IMU streamed live: the batches every way in produces (batches); phyphox's remote
access polled (phyphox, phyphox_address, phyphox_wire); Sensor Logger's HTTP push received
(sensor_logger, with sensor_logger_http, sensor_logger_message, sensor_logger_session and
sensor_logger_gravity); aligned onto one time base (stream, ring), followed by attitude filters and
a trained model (live_filters, live_model), and recorded to train on (recorder); one hub per
server holds them all (hub).

    batches.py                SensorBatch: one sensor's samples on the phone's clock, in SI units
    phyphox.py                PhyphoxClient: phyphox's remote access polled (phyphox_address: the
                              address typed, checked; phyphox_wire: one bounded request, its JSON
                              read as numbers)
    sensor_logger.py          SensorLoggerReceiver: a server of its own for the phone's pushes
    sensor_logger_http.py     only POST /data, JSON, bounded: everything else refused, said why
    sensor_logger_message.py  one push read and checked field by field
    sensor_logger_session.py  pushes put back in messageId order, per session, into batches
    sensor_logger_gravity.py  acceleration with gravity: totalacceleration or accelerometer+gravity
    stream.py                 LiveStream: accelerometer and gyroscope aligned, gaps, drops, delay
    ring.py                   RowRing: the stream's rows in arrays allocated once, oldest replaced
    live_filters.py           LiveAttitude: complementary and VQF following the rows, the lab's code
    live_model.py             LiveForecaster: a trained model's next-step forecast, row by row
    recorder.py               Recorder: Record to Stop, saved as a phyphox zip the IMU lab reads
    hub.py                    PhoneHub: the server's one way in, stream, filters and recorder
"""
