"""A phone's IMU streamed live: the batches every way in produces (batches); phyphox's remote
access polled (phyphox, phyphox_address, phyphox_wire); Sensor Logger's HTTP push received
(sensor_logger, with sensor_logger_http, sensor_logger_message, sensor_logger_session and
sensor_logger_gravity).

    batches.py                SensorBatch: one sensor's samples on the phone's clock, in SI units
    phyphox.py                PhyphoxClient: phyphox's remote access polled (phyphox_address: the
                              address typed, checked; phyphox_wire: one bounded request, its JSON
                              read as numbers)
    sensor_logger.py          SensorLoggerReceiver: a server of its own for the phone's pushes
    sensor_logger_http.py     only POST /data, JSON, bounded: everything else refused, said why
    sensor_logger_message.py  one push read and checked field by field
    sensor_logger_session.py  pushes put back in messageId order, per session, into batches
    sensor_logger_gravity.py  acceleration with gravity: totalacceleration or accelerometer+gravity
"""
