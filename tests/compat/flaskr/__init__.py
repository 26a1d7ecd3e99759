"""A blog written the way Flask's tutorial (flaskr) teaches: an application factory, auth and blog blueprints,
sqlite through ``g`` and ``teardown_appcontext``, an ``init-db`` command, ``flash``, ``session``, ``url_for``.

It imports its framework from ``compat_framework``, which the tests point at Flask or at lambda_micro: the one
import line that differs between the two (``from flask import Flask`` / ``from lambda_micro import App as
Flask``). Everything else runs unchanged on both.
"""

import os

from compat_framework import Flask


def create_app(test_config=None, instance_path=None):
    """Create and configure an instance of the application."""
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.from_mapping(
        SECRET_KEY="dev",
        DATABASE=os.path.join(app.instance_path, "flaskr.sqlite"),
    )

    if test_config is None:
        # Load the instance config, if it exists, when not testing.
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)

    # The instance folder is for the database; the app does not create it on import (tests pass their own).
    try:
        os.makedirs(app.instance_path)
    except OSError:
        pass

    @app.route("/hello")
    def hello():
        return "Hello, World!"

    from . import db

    db.init_app(app)

    from . import auth, blog

    app.register_blueprint(auth.bp)
    app.register_blueprint(blog.bp)
    # The blog's index is the site's index.
    app.add_url_rule("/", endpoint="index")

    return app
