"""The invocation core: synchronous and asynchronous paths, destinations, concurrency, execution
environments, the runtime contract, handler time and the real-time guard."""
