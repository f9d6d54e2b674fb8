"""The Amazon MSK control plane over sim Kafka clusters, for the boto3 bridge.

``ListClustersV2``, ``DescribeClusterV2``, ``DescribeCluster`` and ``GetBootstrapBrokers`` answer from the
simulation's MSK clusters (self-managed clusters are not MSK's). Responses are botocore-parsed shapes:
``CreationTime`` as a datetime. AWS page: "Amazon MSK API Reference".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from lambdachaos.resources._errors import AWSError

if TYPE_CHECKING:
    from lambdachaos.resources._kafka import KafkaCluster

Params = Mapping[str, Any]
Response = dict[str, Any]
KAFKA_VERSION: Final = "3.6.0"
CURRENT_VERSION: Final = "K3AEGXETSR30VB"


class MskNotFound(AWSError):
    """The cluster does not exist."""

    code = "NotFoundException"
    http_status = 404


class MskBadRequest(AWSError):
    """A parameter is missing or malformed."""

    code = "BadRequestException"


def clusters(registry: Any) -> list[KafkaCluster]:
    """The simulation's MSK clusters (self-managed clusters excluded)."""
    return [c for c in registry.all("kafka_clusters").values() if not c.self_managed]


def _cluster(registry: Any, p: Params) -> KafkaCluster:
    arn = p.get("ClusterArn")
    if not isinstance(arn, str) or not arn:
        raise MskBadRequest("ClusterArn is a required parameter")
    for cluster in clusters(registry):
        if cluster.arn == arn:
            return cluster
    raise MskNotFound(f"The requested resource was not found: {arn}")


def _created(cluster: KafkaCluster) -> datetime:
    return datetime.fromtimestamp(cluster.world.wall_ns(cluster.created_ns) / 1e9, tz=UTC)


def _brokers(cluster: KafkaCluster) -> dict[str, Any]:
    return {"BrokerNodeGroupInfo": {"InstanceType": "kafka.m5.large", "ClientSubnets": [],
                                    "StorageInfo": {"EbsStorageInfo": {"VolumeSize": 1000}}},
            "KafkaVersion": KAFKA_VERSION, "NumberOfBrokerNodes": len(cluster.bootstrap_servers)}


def _info_v2(cluster: KafkaCluster) -> Response:
    provisioned = _brokers(cluster)
    provisioned["CurrentBrokerSoftwareInfo"] = {"KafkaVersion": provisioned.pop("KafkaVersion")}
    return {"ClusterArn": cluster.arn, "ClusterName": cluster.name, "ClusterType": "PROVISIONED",
            "CreationTime": _created(cluster), "CurrentVersion": CURRENT_VERSION, "State": "ACTIVE", "Tags": {},
            "Provisioned": provisioned}


def list_clusters_v2(registry: Any, p: Params) -> Response:
    """``ListClustersV2`` (``ClusterNameFilter`` is a prefix)."""
    prefix = p.get("ClusterNameFilter") or ""
    return {"ClusterInfoList": [_info_v2(c) for c in clusters(registry) if c.name.startswith(prefix)]}


def describe_cluster_v2(registry: Any, p: Params) -> Response:
    """``DescribeClusterV2``."""
    return {"ClusterInfo": _info_v2(_cluster(registry, p))}


def describe_cluster(registry: Any, p: Params) -> Response:
    """``DescribeCluster``."""
    cluster = _cluster(registry, p)
    brokers = _brokers(cluster)
    return {"ClusterInfo": {"ClusterArn": cluster.arn, "ClusterName": cluster.name, "CreationTime": _created(cluster),
                            "CurrentBrokerSoftwareInfo": {"KafkaVersion": brokers.pop("KafkaVersion")},
                            "CurrentVersion": CURRENT_VERSION, "State": "ACTIVE", "Tags": {}, **brokers}}


def get_bootstrap_brokers(registry: Any, p: Params) -> Response:
    """``GetBootstrapBrokers``: the cluster's IAM (port 9098) broker string, and TLS on port 9094."""
    cluster = _cluster(registry, p)
    hosts = [s.rsplit(":", 1)[0] for s in cluster.bootstrap_servers]
    return {"BootstrapBrokerStringSaslIam": cluster.bootstrap_string,
            "BootstrapBrokerStringTls": ",".join(f"{h}:9094" for h in hosts)}


OPERATIONS: Final[dict[str, Callable[[Any, Params], Response]]] = {
    "ListClustersV2": list_clusters_v2, "DescribeClusterV2": describe_cluster_v2,
    "DescribeCluster": describe_cluster, "GetBootstrapBrokers": get_bootstrap_brokers,
}


def route(bridges: tuple[Any, ...], service: str, op: str, p: Params) -> tuple[Any, Response] | None:
    """Answer an ``kafka`` or ``mq`` call from the newest bridge whose simulation has a registry; None: not ours
    (the call goes to moto)."""
    from lambdachaos.service.bridge import _mq_api

    action = (OPERATIONS if service == "kafka" else _mq_api.OPERATIONS).get(op)
    if action is None:
        return None
    for bridge in reversed(bridges):
        registry = getattr(getattr(bridge.context, "sim", None), "registry", None)
        if registry is not None:
            return bridge, action(registry, p)
    return None
