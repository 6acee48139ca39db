"""Site pages. Each module owns its layout, component ids and callbacks, and declares
``PATH``, ``TITLE``, ``DESCRIPTION`` and ``layout``; :mod:`dashboard` registers them."""
