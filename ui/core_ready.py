"""Imported first by every page but Home (a plain `import`, which sorts before the `from`
imports): when Streamlit runs a page file by itself, without app.py (a deep link as the server's
first request), this begins the preload at once and waits for it before the page's own imports,
so that only the preload thread imports torch and the app, even when several such requests come
at once (see `ui.preload`: two threads importing torch together can fail with a deadlock error).
Through app.py the preload has been waited for already, and this module is imported only once.
"""

from ui import preload

preload.ready()
