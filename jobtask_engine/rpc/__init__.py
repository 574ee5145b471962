"""The fake inventory backend over gRPC: ``spaceone.api.inventory.v1.JobTask``.

Needs the ``grpc`` extra (grpcio, grpcio-reflection, spaceone-api, protobuf,
googleapis-common-protos).  A service that calls the inventory API through
spaceone-core's ``SpaceConnector`` points it at ``GrpcServer(store).endpoint``
and changes nothing else.  (Named ``rpc``, not ``grpc``, so that it never
shadows the grpc library.)

- ``GrpcServer``: the service plus server reflection on loopback (tests, the
  pytest fixture ``jobtask_grpc_server``); ``serve_grpc``: in the foreground
  (``jobtask-engine serve --grpc-port``).
- ``JobTaskService``: the four methods, for registering on a server of your own.
"""

from __future__ import annotations

from jobtask_engine.rpc.server import DEFAULT_MAX_WORKERS, GrpcServer, serve_grpc
from jobtask_engine.rpc.service import SERVICE_NAME, JobTaskService

__all__ = ["GrpcServer", "serve_grpc", "JobTaskService", "SERVICE_NAME", "DEFAULT_MAX_WORKERS"]
