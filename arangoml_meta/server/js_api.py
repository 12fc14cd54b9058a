"""The JavaScript API a JavaScript transaction's action sees: ArangoDB's, the subset
a transaction uses.

:func:`prelude` is the JavaScript the sandbox (``js_sandbox.py``) evaluates
before the action. It defines, as ArangoDB's server-side JavaScript does:

- ``require('@arangodb')`` and ``require('internal')``: ``db``, ``errors``
  (``ERROR_*``: ``{code, message}``), ``ArangoError``, ``aql`` (the template
  tag: ``db._query(aql`FOR d IN ${coll} RETURN d`)``), ``print``, ``time``;
  any other module (``fs``, ``net``, ``child_process``, ``@arangodb/request``,
  ...) is error 3100 "cannot locate module": the sandbox has no file system,
  network or process access to offer;
- ``db``: ``db._collection(name)`` (null when there is none), ``db.NAME`` /
  ``db[NAME]`` (undefined when there is none), ``db._collections()``,
  ``db._name()``, ``db._query(aql, bindVars, options)`` or
  ``db._query({query, bindVars, options})`` (a cursor: ``toArray()``,
  ``next()``, ``hasNext()``, ``count()``, ``getExtra()``, ``dispose()``),
  ``db._document(id)``, ``db._exists(id)``, ``db._replace(id, data, options)``,
  ``db._update(id, data, options)``, ``db._remove(id, options)``;
- a collection: ``save`` / ``insert``, ``document``, ``exists``, ``replace``,
  ``update``, ``remove`` (one document, or an array: then one result per
  item, a failed one as ``{error, errorNum, errorMessage}``), ``count()``,
  ``toArray()``, ``all()`` (a cursor), ``any()``, ``byExample(example)`` (a
  cursor; top-level attributes, as AQL's ``MATCHES``), ``firstExample``,
  ``truncate()``, ``name()``, ``type()`` (2 document, 3 edge);
- ``console.log`` / ``info`` / ``warn`` / ``error`` and ``print`` go to the
  server's log (logger ``arangoml_meta.server.js``).

An operation that fails throws an ``ArangoError`` (``errorNum``,
``errorMessage``, ``code`` the HTTP status), which the action may catch: the
operation alone is undone.

Known gaps: the ``message`` of ``errors.ERROR_*`` is the constant's name in
words, not always ArangoDB's text; a query's cursor holds all its rows at
once; not offered (a call is a TypeError, 17): creating, dropping or
changing collections and indexes, graphs (``@arangodb/general-graph``),
``db._executeTransaction`` inside an action, ``db._createStatement``,
``db._useDatabase``, and the rest of ArangoDB's modules.
"""

from __future__ import annotations

import functools
import json

from .. import errors as E
from ..errors import ERROR_MODULE_NOT_FOUND

_PRELUDE = r"""
(function () {
  "use strict";
  const host = globalThis.__arangomlHost;
  delete globalThis.__arangomlHost;
  const ERRORS = __ERRORS__;
  const MODULE_NOT_FOUND = __MODULE_NOT_FOUND__;

  class ArangoError extends Error {
    constructor(error) {
      error = error || {};
      super(error.errorMessage || "");
      this.name = "ArangoError";
      this.error = true;
      this.errorNum = error.errorNum;
      this.errorMessage = error.errorMessage || "";
      this.code = error.code || 500;
    }
    toString() {
      return "ArangoError " + this.errorNum + ": " + this.errorMessage;
    }
  }

  function call(operation, args) {
    const answer = JSON.parse(host(operation, JSON.stringify(args)));
    if (answer.error) {
      throw new ArangoError(answer.error);
    }
    return answer.result;
  }

  class Cursor {
    constructor(answer) {
      this._rows = answer.result;
      this._extra = answer.extra || {};
      this._count = answer.count;
      this._at = 0;
    }
    toArray() {
      const rest = this._rows.slice(this._at);
      this._at = this._rows.length;
      return rest;
    }
    hasNext() { return this._at < this._rows.length; }
    next() { return this.hasNext() ? this._rows[this._at++] : undefined; }
    count() { return this._count === undefined ? null : this._count; }
    getExtra() { return this._extra; }
    dispose() { this._rows = []; this._at = 0; }
    toString() { return "[object ArangoQueryCursor]"; }
  }

  function rowsCursor(rows) {
    return new Cursor({result: rows, count: rows.length});
  }

  function idOf(handle) {
    if (typeof handle === "string") {
      return handle;
    }
    if (handle !== null && typeof handle === "object") {
      return handle._id;
    }
    return undefined;
  }

  function collectionOfId(handle) {
    const id = idOf(handle);
    if (typeof id !== "string" || id.indexOf("/") <= 0) {
      throw new ArangoError({errorNum: ERRORS.ERROR_ARANGO_DOCUMENT_HANDLE_BAD.code,
                             errorMessage: "illegal document handle", code: 400});
    }
    return id.slice(0, id.indexOf("/"));
  }

  class ArangoCollection {
    constructor(info) {
      this._name = info.name;
      this._id = info.id;
      this._type = info.type;
    }
    name() { return this._name; }
    type() { return this._type; }
    save(data, options) { return call("insert", [this._name, data, options]); }
    insert(data, options) { return call("insert", [this._name, data, options]); }
    document(selector) { return call("document", [this._name, selector]); }
    exists(selector) { return call("exists", [this._name, selector]); }
    replace(selector, data, options) {
      return call("replace", [this._name, selector, data, options]);
    }
    update(selector, data, options) {
      return call("update", [this._name, selector, data, options]);
    }
    remove(selector, options) { return call("remove", [this._name, selector, options]); }
    count() { return call("count", [this._name]); }
    toArray() { return call("all", [this._name]); }
    all() { return rowsCursor(call("all", [this._name])); }
    any() { return call("any", [this._name]); }
    byExample(example) { return rowsCursor(call("byExample", [this._name, example, null])); }
    firstExample(example) {
      const rows = call("byExample", [this._name, example, 1]);
      return rows.length ? rows[0] : null;
    }
    truncate() { call("truncate", [this._name]); }
    toString() {
      return "[ArangoCollection " + this._id + ", \"" + this._name + "\" (type " +
             (this._type === 3 ? "edge" : "document") + ", status loaded)]";
    }
  }
  Object.defineProperty(ArangoCollection.prototype, "isArangoCollection", {value: true});

  const collections = new Map();

  function collection(name) {
    if (typeof name !== "string") {
      return null;
    }
    if (!collections.has(name)) {
      const info = call("collection", [name]);
      collections.set(name, info === null ? null : new ArangoCollection(info));
    }
    return collections.get(name);
  }

  const methods = {
    _collection(name) { return collection(name); },
    _collections() { return call("collections", []).map((info) => collection(info.name)); },
    _name() { return call("database", []); },
    _query(query, bindVars, options) {
      let request;
      if (query !== null && typeof query === "object") {
        request = {query: query.query, bindVars: query.bindVars, options: query.options};
        for (const name of ["count", "batchSize"]) {
          if (name in query) {
            request[name] = query[name];
          }
        }
        if (bindVars !== null && typeof bindVars === "object") {
          request.options = Object.assign({}, request.options || {}, bindVars);
        }
      } else {
        request = {query: query, bindVars: bindVars, options: options};
      }
      const given = request.options || {};
      if (given.count !== undefined && request.count === undefined) {
        request.count = given.count;
      }
      return new Cursor(call("query", [request]));
    },
    _document(handle) { return call("document", [collectionOfId(handle), handle]); },
    _exists(handle) { return call("exists", [collectionOfId(handle), handle]); },
    _replace(handle, data, options) {
      return call("replace", [collectionOfId(handle), handle, data, options]);
    },
    _update(handle, data, options) {
      return call("update", [collectionOfId(handle), handle, data, options]);
    },
    _remove(handle, options) {
      return call("remove", [collectionOfId(handle), handle, options]);
    },
    toString() { return "[object ArangoDatabase \"" + call("database", []) + "\"]"; },
  };

  const db = new Proxy(methods, {
    get(target, property) {
      if (typeof property !== "string" || property in target) {
        return target[property];
      }
      const found = collection(property);
      return found === null ? undefined : found;
    },
    set() { return false; },
  });

  function aql(strings, ...values) {
    let query = strings[0];
    const bindVars = {};
    values.forEach((value, i) => {
      if (value !== null && typeof value === "object" && value.isArangoCollection) {
        bindVars["@value" + i] = value.name();
        query += "@@value" + i;
      } else {
        bindVars["value" + i] = value;
        query += "@value" + i;
      }
      query += strings[i + 1];
    });
    return {query: query, bindVars: bindVars};
  }

  function text(values) {
    return values.map((v) => typeof v === "string" ? v : JSON.stringify(v)).join(" ");
  }
  function logger(level) {
    return (...values) => { call("log", [level, text(values)]); };
  }
  const console = {
    log: logger("info"), info: logger("info"), debug: logger("debug"),
    warn: logger("warning"), error: logger("error"),
  };

  const arangodb = Object.freeze({
    db: db, errors: ERRORS, ArangoError: ArangoError, aql: aql,
    print: logger("info"), time: () => Date.now() / 1000,
  });
  const modules = {"@arangodb": arangodb, "internal": arangodb};

  function require(name) {
    if (Object.prototype.hasOwnProperty.call(modules, name)) {
      return modules[name];
    }
    throw new ArangoError({
      errorNum: MODULE_NOT_FOUND,
      errorMessage: "cannot locate module '" + name + "': a JavaScript transaction on " +
                    "arangoml-meta serve runs in a sandbox without file system, network " +
                    "or process access; it has '@arangodb' and 'internal' only",
      code: 500,
    });
  }

  // what ArangoDB's V8 does with the thrown value (extractArangoError)
  function describe(e) {
    const INTERNAL = ERRORS.ERROR_TRANSACTION_INTERNAL.code;
    if (typeof e === "string") {
      return {errorNum: INTERNAL, errorMessage: e};
    }
    if (e === null || (typeof e !== "object" && typeof e !== "function")) {
      return {errorNum: INTERNAL, errorMessage: String(e)};
    }
    if ("errorNum" in e && ("errorMessage" in e || "message" in e)) {
      const message = "errorMessage" in e ? e.errorMessage : e.message;
      return {errorNum: Math.trunc(Number(e.errorNum)) || 0, errorMessage: String(message)};
    }
    if ("name" in e && "message" in e) {
      if (String(e.name) === "TypeError") {
        return {errorNum: ERRORS.ERROR_TYPE_ERROR.code, errorMessage: String(e.message)};
      }
      const num = "errorNum" in e ? Math.trunc(Number(e.errorNum)) || 0 : INTERNAL;
      return {errorNum: num, errorMessage: String(e.name) + ": " + String(e.message)};
    }
    return {errorNum: INTERNAL,
            errorMessage: "an unknown error occured while executing the transaction"};
  }

  globalThis.require = require;
  globalThis.console = console;
  globalThis.print = arangodb.print;
  globalThis.ArangoError = ArangoError;

  globalThis.__arangomlRun = function (source, params) {
    let action;
    try {
      action = new Function("params", "return (" + source + ")(params);");
    } catch (e) {
      return JSON.stringify({invalid: String(e)});
    }
    try {
      const result = action(params === "" ? undefined : JSON.parse(params));
      return JSON.stringify({result: result === undefined ? null : result});
    } catch (e) {
      return JSON.stringify({thrown: describe(e)});
    }
  };
})();
"""


def _words(name: str) -> str:
    words = name.removeprefix("ERROR_").removeprefix("ARANGO_").lower()
    return words.replace("_", " ")


@functools.cache
def errors_table() -> dict[str, dict[str, object]]:
    """``require('@arangodb').errors``: every ``ERROR_*`` number the package knows."""
    table: dict[str, dict[str, object]] = {
        name: {"code": value, "message": _words(name)}
        for name, value in vars(E).items()
        if name.startswith("ERROR_") and isinstance(value, int)
    }
    table["ERROR_MODULE_NOT_FOUND"] = {
        "code": ERROR_MODULE_NOT_FOUND,
        "message": "cannot locate module",
    }
    return table


@functools.cache
def prelude() -> str:
    """The JavaScript the sandbox runs before the action (see the module docstring)."""
    return _PRELUDE.replace("__ERRORS__", json.dumps(errors_table())).replace(
        "__MODULE_NOT_FOUND__", str(ERROR_MODULE_NOT_FOUND)
    )
