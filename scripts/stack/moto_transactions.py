"""TransactWriteItems for the local DynamoDB server without copying whole tables.

moto 5.2.5 deep-copies every table a transaction touches, once per item, so that it can roll back:
a 4-seat reserve against a 20,000-seat event costs seconds, and the local stack tops out at a few
transactions per second. This keeps moto's semantics with a copy of only the items involved:

1. reject more than 100 items, or one item named twice (as moto and DynamoDB do);
2. evaluate every condition against the state before the transaction (the items are distinct, so
   this is what applying them in order would see), collecting one cancellation reason per item;
3. cancel with those reasons, having changed nothing, if any condition failed;
4. otherwise apply the writes through moto's own put/update/delete; should one of them fail, put
   back the snapshots of the touched items and drop the stream records written since the start.

The server serialises requests (dynamodb-server.py), so nothing interleaves with a transaction.
"""
import copy
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend

OPERATIONS = {"ConditionCheck", "Put", "Delete", "Update"}


def _operation(item: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if len(item) != 1:
        raise TransactWriteSingleOpException
    op_type, op = next(iter(item.items()))
    if op_type not in OPERATIONS:
        raise MockValidationException("Unsupported transaction operation")
    return op_type, op


def _key_of(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return op["Key"]
    table = backend.get_table(op["TableName"])
    key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = op["Item"][table.range_key_attr]
    return key


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    planned = []
    seen: set[tuple[str, str]] = set()
    for item in transact_items:
        op_type, op = _operation(item)
        key = _key_of(self, op_type, op)
        identity = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if identity in seen:
            raise MultipleTransactionsException()
        seen.add(identity)
        planned.append((op_type, op, key))

    # Conditions, all against the state before the transaction.
    errors: list[tuple[Any, Any, Any]] = []
    for op_type, op, key in planned:
        current = self.get_item(op["TableName"], key)
        condition = op.get("ConditionExpression")
        if condition is None:
            errors.append((None, None, None))
            continue
        check = get_filter_expression(condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues"))
        if check.expr(current):
            errors.append((None, None, None))
            continue
        old = current.to_json()["Attributes"] if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current else None
        errors.append(("ConditionalCheckFailed", ConditionalCheckFailed().message, old))
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)

    # Snapshots of exactly the touched items and of each stream's length, for a failed write.
    snapshots = []
    stream_lengths = {}
    for op_type, op, key in planned:
        table = self.get_table(op["TableName"])
        hash_key, range_key = self.get_keys_value(table, key)
        snapshots.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
        if table.stream_shard is not None:
            stream_lengths.setdefault(id(table), (table, len(table.stream_shard.items)))

    def roll_back() -> None:
        for table, hash_key, range_key, before in reversed(snapshots):
            if range_key is not None:
                if before is None:
                    table.items.get(hash_key, {}).pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = before
            elif before is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = before
        for table, length in stream_lengths.values():
            del table.stream_shard.items[length:]

    for index, (op_type, op, key) in enumerate(planned):
        names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        try:
            if op_type == "Put":
                self.put_item(op["TableName"], op["Item"], expression_attribute_names=names, expression_attribute_values=values)
            elif op_type == "Delete":
                self.delete_item(op["TableName"], key, expression_attribute_names=names, expression_attribute_values=values)
            elif op_type == "Update":
                self.update_item(op["TableName"], key, update_expression=op["UpdateExpression"], expression_attribute_names=names, expression_attribute_values=values)
        except (MultipleTransactionsException, MockValidationException):
            roll_back()
            raise
        except Exception as error:  # noqa: BLE001 (moto reports any other failure as a cancellation reason)
            roll_back()
            reasons: list[tuple[Any, Any, Any]] = [(None, None, None)] * len(planned)
            reasons[index] = (type(error).__name__, str(error), None)
            raise TransactionCanceledException(reasons)


def install() -> None:
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
