"""A phone's IMU streamed live: the batches every way in produces (batches);
phyphox's remote access polled (phyphox, phyphox_address, phyphox_wire).

    batches.py       SensorBatch: one sensor's samples on the phone's clock, in SI units
    phyphox.py       PhyphoxClient: phyphox's remote access polled (phyphox_address: the address
                     typed, checked; phyphox_wire: one bounded request, its JSON read as numbers)
"""
