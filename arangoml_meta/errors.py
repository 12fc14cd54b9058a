"""The package's one exception tree.

Every error raised by arangoml-meta derives from :class:`ArangoMLMetaError` and
carries ArangoDB's error number (``error_num``) where ArangoDB has one, so a
caller can branch on numbers whichever backend runs. The tree has a few
meaningful branches (query, document, collection, graph, schema, transaction,
store); :func:`error_for` picks the class for a number, so backends never need
a hand-written mapping of their own.
"""

from __future__ import annotations

from typing import Any

# ArangoDB error numbers used by the project (names as in ArangoDB's errors.dat).
ERROR_SYS_ERROR = 2
ERROR_INTERNAL = 4
ERROR_NOT_IMPLEMENTED = 9
ERROR_BAD_PARAMETER = 10
ERROR_FORBIDDEN = 11
ERROR_FILE_NOT_FOUND = 14
ERROR_CANNOT_WRITE_FILE = 15
ERROR_CANNOT_OVERWRITE_FILE = 16
ERROR_TYPE_ERROR = 17
ERROR_LOCK_TIMEOUT = 18
ERROR_LOCKED = 28
ERROR_RESOURCE_LIMIT = 32
ERROR_INCOMPATIBLE_VERSION = 35
ERROR_HTTP_BAD_PARAMETER = 400
ERROR_HTTP_UNAUTHORIZED = 401
ERROR_HTTP_FORBIDDEN = 403
ERROR_HTTP_NOT_FOUND = 404
ERROR_HTTP_METHOD_NOT_ALLOWED = 405
ERROR_HTTP_CORRUPTED_JSON = 600
ERROR_ARANGO_READ_ONLY = 1004
ERROR_ARANGO_CORRUPTED_DATAFILE = 1100
ERROR_ARANGO_ILLEGAL_PARAMETER_FILE = 1101
ERROR_ARANGO_FILESYSTEM_FULL = 1104
ERROR_ARANGO_CONFLICT = 1200
ERROR_ARANGO_DOCUMENT_NOT_FOUND = 1202
ERROR_ARANGO_DATA_SOURCE_NOT_FOUND = 1203
ERROR_ARANGO_COLLECTION_PARAMETER_MISSING = 1204
ERROR_ARANGO_DOCUMENT_HANDLE_BAD = 1205
ERROR_ARANGO_DUPLICATE_NAME = 1207
ERROR_ARANGO_ILLEGAL_NAME = 1208
ERROR_ARANGO_INDEX_NOT_FOUND = 1212
ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED = 1210
ERROR_ARANGO_DOCUMENT_KEY_BAD = 1221
ERROR_ARANGO_DOCUMENT_KEY_UNEXPECTED = 1222
ERROR_ARANGO_DOCUMENT_TYPE_INVALID = 1227
ERROR_ARANGO_DOCUMENT_KEY_MISSING = 1226
ERROR_ARANGO_COLLECTION_TYPE_INVALID = 1218
ERROR_ARANGO_DATABASE_NOT_FOUND = 1228
ERROR_ARANGO_DATABASE_NAME_INVALID = 1229
ERROR_ARANGO_USE_SYSTEM_DATABASE = 1230
ERROR_ARANGO_INVALID_KEY_GENERATOR = 1232
ERROR_ARANGO_DOCUMENT_TOO_LARGE = 1216
ERROR_ARANGO_INVALID_EDGE_ATTRIBUTE = 1233
ERROR_ARANGO_DOCUMENT_REV_BAD = 1239
ERROR_CLUSTER_ONLY_ON_COORDINATOR = 1471
ERROR_QUERY_KILLED = 1500
ERROR_QUERY_PARSE = 1501
ERROR_QUERY_EMPTY = 1502
ERROR_QUERY_SCRIPT = 1503
ERROR_QUERY_NUMBER_OUT_OF_RANGE = 1504
ERROR_QUERY_INVALID_GEO_VALUE = 1505
ERROR_QUERY_VARIABLE_NAME_INVALID = 1510
ERROR_QUERY_VARIABLE_REDECLARED = 1511
ERROR_QUERY_VARIABLE_NAME_UNKNOWN = 1512
ERROR_QUERY_COLLECTION_LOCK_FAILED = 1521
ERROR_QUERY_TOO_MANY_COLLECTIONS = 1522
ERROR_QUERY_FUNCTION_NAME_UNKNOWN = 1540
ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH = 1541
ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH = 1542
ERROR_QUERY_INVALID_REGEX = 1543
ERROR_QUERY_BIND_PARAMETERS_INVALID = 1550
ERROR_QUERY_BIND_PARAMETER_MISSING = 1551
ERROR_QUERY_BIND_PARAMETER_UNDECLARED = 1552
ERROR_QUERY_BIND_PARAMETER_TYPE = 1553
ERROR_QUERY_INVALID_ARITHMETIC_VALUE = 1561
ERROR_QUERY_DIVISION_BY_ZERO = 1562
ERROR_QUERY_ARRAY_EXPECTED = 1563
ERROR_QUERY_COLLECTION_USED_IN_EXPRESSION = 1568
ERROR_QUERY_FAIL_CALLED = 1569
ERROR_QUERY_INVALID_DATE_VALUE = 1557
ERROR_QUERY_MULTI_MODIFY = 1558
ERROR_QUERY_INVALID_AGGREGATE_EXPRESSION = 1574
ERROR_QUERY_COMPILE_TIME_OPTIONS = 1575
ERROR_QUERY_DISALLOWED_DYNAMIC_CALL = 1578
ERROR_QUERY_ACCESS_AFTER_MODIFICATION = 1579
ERROR_QUERY_WARNING = 1577
ERROR_QUERY_FUNCTION_NOT_FOUND = 1582
ERROR_QUERY_MUST_NOT_BE_MODIFIED = 1586
ERROR_QUERY_USER_ASSERT = 1593
ERROR_QUERY_USER_WARN = 1594
ERROR_QUERY_NOT_FOUND = 1591
ERROR_CURSOR_NOT_FOUND = 1600
ERROR_CURSOR_BUSY = 1601
ERROR_GRAPH_INVALID_GRAPH = 1901
ERROR_GRAPH_COLLECTION_MULTI_USE = 1920
ERROR_GRAPH_NOT_FOUND = 1924
ERROR_GRAPH_DUPLICATE = 1925
ERROR_GRAPH_EDGE_COLLECTION_NOT_USED = 1930
ERROR_GRAPH_INVALID_EDGE = 1906
ERROR_GRAPH_NEGATIVE_EDGE_WEIGHT = 1948
# the named-graph API (gharial)
ERROR_GRAPH_COLLECTION_USE_IN_MULTI_GRAPHS = 1921
ERROR_GRAPH_CREATE_MISSING_NAME = 1922
ERROR_GRAPH_CREATE_MALFORMED_EDGE_DEFINITION = 1923
ERROR_GRAPH_VERTEX_COL_DOES_NOT_EXIST = 1926
ERROR_GRAPH_WRONG_COLLECTION_TYPE_VERTEX = 1927
ERROR_GRAPH_NOT_IN_ORPHAN_COLLECTION = 1928
ERROR_GRAPH_COLLECTION_USED_IN_EDGE_DEF = 1929
ERROR_GRAPH_COLLECTION_USED_IN_ORPHANS = 1938
ERROR_GRAPH_INTERNAL_DATA_CORRUPT = 1941
ERROR_GRAPH_CREATE_MALFORMED_ORPHAN_LIST = 1943
ERROR_GRAPH_EDGE_DEFINITION_IS_DOCUMENT = 1944
ERROR_GRAPH_REFERENCED_VERTEX_COLLECTION_NOT_PART_OF_THE_GRAPH = 1947
ERROR_GRAPH_COLLECTION_NOT_PART_OF_THE_GRAPH = 1949
ERROR_VALIDATION_FAILED = 1620
ERROR_VALIDATION_BAD_PARAMETER = 1621
ERROR_TRANSACTION_INTERNAL = 1650
ERROR_TRANSACTION_UNREGISTERED_COLLECTION = 1652
ERROR_TRANSACTION_DISALLOWED_OPERATION = 1653
ERROR_TRANSACTION_ABORTED = 1654
ERROR_TRANSACTION_NOT_FOUND = 1655
ERROR_USER_INVALID_NAME = 1700
ERROR_USER_DUPLICATE = 1702
ERROR_USER_NOT_FOUND = 1703
ERROR_SIMPLE_CLIENT_UNKNOWN_ERROR = 2000
ERROR_SIMPLE_CLIENT_COULD_NOT_CONNECT = 2001
ERROR_SIMPLE_CLIENT_COULD_NOT_READ = 2003
ERROR_MODULE_NOT_FOUND = 3100


class ArangoMLMetaError(Exception):
    """Root of every error this package raises."""

    default_num: int | None = None

    def __init__(self, message: str, error_num: int | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.error_num = error_num if error_num is not None else self.default_num
        self.details = details

    def __str__(self) -> str:
        if self.error_num is None:
            return self.message
        return f"[{self.error_num}] {self.message}"


class QueryError(ArangoMLMetaError):
    """An AQL query could not be parsed, bound or executed."""

    default_num = ERROR_QUERY_SCRIPT


class AQLSyntaxError(QueryError):
    """The query text is not valid AQL (1501); knows the line, column and offending text."""

    default_num = ERROR_QUERY_PARSE

    @classmethod
    def at(
        cls, message: str, line: int, column: int, near: str = "", error_num: int | None = None
    ) -> AQLSyntaxError:
        """The error for ``message`` at ``line``:``column`` near the offending text."""
        where = f" near '{near}'" if near else ""
        err = cls(
            f"syntax error, {message}{where} at position {line}:{column}",
            error_num,
            line=line,
            column=column,
            near=near,
        )
        return err

    @property
    def line(self) -> int:
        return int(self.details.get("line", 0))

    @property
    def column(self) -> int:
        return int(self.details.get("column", 0))

    @property
    def near(self) -> str:
        return str(self.details.get("near", ""))


class BindParameterError(QueryError):
    """A bind parameter is missing (1551), unused (1552) or of the wrong type (1553)."""

    default_num = ERROR_QUERY_BIND_PARAMETER_MISSING


class DocumentError(ArangoMLMetaError):
    """A document-level operation failed (bad key, bad type, missing edge attribute, ...)."""

    default_num = ERROR_ARANGO_DOCUMENT_TYPE_INVALID


class DocumentNotFoundError(DocumentError):
    default_num = ERROR_ARANGO_DOCUMENT_NOT_FOUND


class UniqueConstraintError(DocumentError):
    default_num = ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED


class ConflictError(DocumentError):
    default_num = ERROR_ARANGO_CONFLICT


class CollectionError(ArangoMLMetaError):
    """A collection (or index) is missing, misnamed or of the wrong kind."""

    default_num = ERROR_ARANGO_DATA_SOURCE_NOT_FOUND


class CollectionNotFoundError(CollectionError):
    default_num = ERROR_ARANGO_DATA_SOURCE_NOT_FOUND


class GraphError(ArangoMLMetaError):
    default_num = ERROR_GRAPH_NOT_FOUND


class SchemaViolationError(ArangoMLMetaError):
    """A document does not satisfy its type's JSON Schema (1620)."""

    default_num = ERROR_VALIDATION_FAILED


class TransactionError(ArangoMLMetaError):
    default_num = ERROR_TRANSACTION_INTERNAL


class DumpError(ArangoMLMetaError):
    """A backup, dump or restore cannot read or write its files (14 missing, 15 cannot
    write, 16 would overwrite, 600 corrupt JSON)."""

    default_num = ERROR_FILE_NOT_FOUND


class StoreError(ArangoMLMetaError):
    """The store itself cannot be used as asked: missing (1228), corrupt (1100), not a store
    (1101), full (1104), read-only (1004), of a newer version (35), unreachable (2, 2001)."""

    default_num = ERROR_ARANGO_CORRUPTED_DATAFILE


class BadParameterError(ArangoMLMetaError):
    """An option or argument has an invalid value (10)."""

    default_num = ERROR_BAD_PARAMETER


class DumpFormatError(DumpError, BadParameterError):
    """A dump's files do not hold what a dump holds (10): caught as either parent."""

    default_num = ERROR_BAD_PARAMETER


_CLASS_BY_NUM: dict[int, type[ArangoMLMetaError]] = {
    ERROR_INCOMPATIBLE_VERSION: StoreError,
    ERROR_ARANGO_DATABASE_NOT_FOUND: StoreError,
    ERROR_ARANGO_READ_ONLY: StoreError,
    ERROR_ARANGO_CORRUPTED_DATAFILE: StoreError,
    ERROR_ARANGO_ILLEGAL_PARAMETER_FILE: StoreError,
    ERROR_ARANGO_FILESYSTEM_FULL: StoreError,
    ERROR_BAD_PARAMETER: BadParameterError,
    ERROR_RESOURCE_LIMIT: QueryError,  # an AQL query's memoryLimit (and the engine's own caps)
    ERROR_ARANGO_CONFLICT: ConflictError,
    ERROR_ARANGO_DOCUMENT_NOT_FOUND: DocumentNotFoundError,
    ERROR_ARANGO_DATA_SOURCE_NOT_FOUND: CollectionNotFoundError,
    ERROR_ARANGO_COLLECTION_PARAMETER_MISSING: CollectionError,
    ERROR_ARANGO_DUPLICATE_NAME: CollectionError,
    ERROR_ARANGO_ILLEGAL_NAME: CollectionError,
    ERROR_ARANGO_INDEX_NOT_FOUND: CollectionError,
    ERROR_ARANGO_COLLECTION_TYPE_INVALID: CollectionError,
    ERROR_ARANGO_INVALID_KEY_GENERATOR: CollectionError,
    ERROR_ARANGO_UNIQUE_CONSTRAINT_VIOLATED: UniqueConstraintError,
    ERROR_QUERY_PARSE: AQLSyntaxError,
    ERROR_QUERY_BIND_PARAMETER_MISSING: BindParameterError,
    ERROR_QUERY_BIND_PARAMETER_UNDECLARED: BindParameterError,
    ERROR_QUERY_BIND_PARAMETER_TYPE: BindParameterError,
    ERROR_QUERY_BIND_PARAMETERS_INVALID: BindParameterError,
    ERROR_GRAPH_NOT_FOUND: GraphError,
    ERROR_GRAPH_DUPLICATE: GraphError,
    ERROR_GRAPH_INVALID_GRAPH: GraphError,
    ERROR_GRAPH_INVALID_EDGE: GraphError,
    ERROR_GRAPH_EDGE_COLLECTION_NOT_USED: GraphError,
    ERROR_GRAPH_NEGATIVE_EDGE_WEIGHT: GraphError,
    ERROR_VALIDATION_FAILED: SchemaViolationError,
    ERROR_VALIDATION_BAD_PARAMETER: BadParameterError,
    ERROR_TRANSACTION_INTERNAL: TransactionError,
    ERROR_LOCK_TIMEOUT: TransactionError,  # a write waited too long for another's commit
}


def error_for(error_num: int | None, message: str) -> ArangoMLMetaError:
    """Build the right exception for an ArangoDB error number."""
    if error_num is None:
        return ArangoMLMetaError(message)
    cls = _CLASS_BY_NUM.get(error_num)
    if cls is None:
        if 1228 <= error_num <= 1230:
            cls = CollectionError  # database errors: illegal name, system database only
        elif 1200 <= error_num < 1300:
            cls = DocumentError
        elif 1500 <= error_num < 1600:
            cls = QueryError
        elif 1650 <= error_num < 1700:
            cls = TransactionError
        elif 1900 <= error_num < 2000:
            cls = GraphError
        else:
            cls = ArangoMLMetaError
    return cls(message, error_num)
