"""Pipeline building, the run loop, checkpoints and progress reporting."""

from .pipeline import Pipeline, build_pipeline
from .plugins import Registry, collect, create_plugin_manager, lazy_factory
from .run import process_document, publish_to_sinks, run_pipeline, sealed_contacts

__all__ = ["Pipeline", "Registry", "build_pipeline", "collect", "create_plugin_manager", "lazy_factory",
           "process_document", "publish_to_sinks", "run_pipeline", "sealed_contacts"]
