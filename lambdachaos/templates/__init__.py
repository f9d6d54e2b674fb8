"""Load SAM, CloudFormation and CDK templates into a simulation (docs/templates.md).

``Sim.from_template(path)`` and ``sim.load_template(path)`` create every function, queue, topic, stream,
table, bucket, rule, mapping and async setting the template declares; :class:`TemplateLoad` reports what
each logical id became, and what was recorded only or skipped and why.
"""

from lambdachaos.templates._errors import TemplateError
from lambdachaos.templates._load import load_template
from lambdachaos.templates._report import LoadedResource, TemplateLoad

__all__ = ["LoadedResource", "TemplateError", "TemplateLoad", "load_template"]
