"""The Flask front end of chronicle (installed as ``chronicle_web``)."""
