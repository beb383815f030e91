"""The built-in plugins. Each registers through the ``portal.plugins`` entry
point group exactly as a third-party plugin would."""
