"""Local delivery of the template's non-HTTP events, polled from the embedded AWS (moto).

moto keeps queues, topics, streams and bucket notifications but never invokes a function: this package
does, as Lambda's event source mappings and the services' own invocations would, through the loader the
gateway uses (so a reload's new code serves the next event, and retired code finishes its own).
"""
