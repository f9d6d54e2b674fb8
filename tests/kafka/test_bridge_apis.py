"""boto3 reaches the simulation's MSK clusters and Amazon MQ brokers through the bridge (kafka and mq control
planes), fact sections A7 and B7 (see test_kafka_conformance)."""

from __future__ import annotations

from datetime import datetime

import boto3
import pytest
from botocore.exceptions import ClientError

from lambdachaos import Sim


@pytest.fixture
def sim():
    with Sim(seed=2) as s:
        yield s


def test_msk_clusters_listed_and_described(sim):
    cluster = sim.kafka_cluster("payments")
    sim.kafka_cluster("onprem", self_managed=True)
    kafka = boto3.client("kafka", region_name="us-east-1")
    listed = kafka.list_clusters_v2()["ClusterInfoList"]
    assert [c["ClusterName"] for c in listed] == ["payments"]
    assert listed[0]["ClusterArn"] == cluster.arn and listed[0]["State"] == "ACTIVE"
    info = kafka.describe_cluster_v2(ClusterArn=cluster.arn)["ClusterInfo"]
    assert isinstance(info["CreationTime"], datetime) and info["ClusterType"] == "PROVISIONED"
    assert kafka.describe_cluster(ClusterArn=cluster.arn)["ClusterInfo"]["NumberOfBrokerNodes"] == 3
    brokers = kafka.get_bootstrap_brokers(ClusterArn=cluster.arn)
    assert brokers["BootstrapBrokerStringSaslIam"] == ",".join(cluster.bootstrap_servers)


def test_unknown_msk_cluster_is_not_found(sim):
    sim.kafka_cluster("payments")
    with pytest.raises(ClientError) as caught:
        boto3.client("kafka", region_name="us-east-1").describe_cluster_v2(
            ClusterArn="arn:aws:kafka:us-east-1:123456789012:cluster/none/0000")
    assert caught.value.response["Error"]["Code"] == "NotFoundException"


def test_mq_brokers_listed_and_described(sim):
    broker = sim.mq_broker("orders-broker", engine="rabbitmq")
    mq = boto3.client("mq", region_name="us-east-1")
    (summary,) = mq.list_brokers()["BrokerSummaries"]
    assert (summary["BrokerArn"], summary["BrokerId"], summary["EngineType"]) == (broker.arn, broker.broker_id,
                                                                                 "RABBITMQ")
    described = mq.describe_broker(BrokerId=broker.broker_id)
    assert described["BrokerName"] == "orders-broker" and described["BrokerState"] == "RUNNING"
    assert described["BrokerInstances"][0]["Endpoints"][0].startswith("amqps://")
    with pytest.raises(ClientError) as caught:
        mq.describe_broker(BrokerId="b-missing")
    assert caught.value.response["Error"]["Code"] == "NotFoundException"
