"""Open Badges 3.0 credentials: build, sign, verify and bake them, and the Django app that issues.

The modules ``documents``, ``credential``, ``keys``, ``jwt``, ``dataintegrity``, ``statuslist``,
``baking`` and ``verify`` are pure Python and import no Django: a script or a notebook can
verify a badge with them alone. ``models``, ``services``, ``selectors`` and ``views`` are the
Django app (label ``credentials``).
"""
