"""The pages' helpers, in wings by feature over a session kernel.

    session/     the kernel every page shares: settings, state, links, owner, the source, the
                 experiment, the run-store connection (imports the core and itself only)
    sources/     the kinds of data (sine, text, IMU, memory, any series)
    train/       Train's live view and export          inspect/   Inside, Gradients, Text lab
    evaluate/    scores on data never trained on       compare/   cells side by side
    sweep/       a grid of settings over seeds         runs/      the runs kept in the store
    lecture/     the lecture demos once opened                live/      a phone streamed live
    navigation.py  the app itself: pages, sidebar, and the wings' kinds of data made known

A wing imports the kernel and the core, never another wing; the kernel never imports a wing
(tests/core/test_layers.py holds both).
"""
