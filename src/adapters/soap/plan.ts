/**
 * What the SOAP importer hands to the runtime: per operation, how to build the request envelope
 * and how to read the answer into the GraphQL shape. Plain JSON (no functions, no cycles: types
 * refer to each other by name) so it can be cached or printed for debugging.
 */

export type SoapScalar = 'String' | 'Int' | 'Float' | 'Boolean' | 'Long' | 'Decimal' | 'Date' | 'DateTime' | 'Duration' | 'Base64' | 'JSON';

/** One element, attribute or text node mapped to one GraphQL field (or argument). */
export interface FieldPlan {
  /** GraphQL field / argument name. */
  gql: string;
  /** XML local name (`*` = any element, for SOAP-encoded arrays). */
  xml: string;
  /** Element namespace; '' = unqualified. */
  ns: string;
  /** s = scalar, e = enum, o = object, j = JSON (xs:any / anyType / empty types). */
  kind: 's' | 'e' | 'o' | 'j';
  /** Scalar name, or the object / enum type name. */
  type: string;
  /** An XML attribute rather than an element. */
  attr?: true;
  /** maxOccurs > 1: a GraphQL list, whatever the number of elements in a given answer. */
  list?: true;
  /** minOccurs 0, nillable or a choice member. */
  nullable: boolean;
  nillable?: true;
  /** The element is an array wrapper (`ArrayOfX`): its repeated `<wrap.xml>` children are the list items. */
  wrap?: { xml: string; ns: string; nillable: boolean };
  /** The XSD builtin name, for xsi:type in rpc/encoded requests. */
  xsd?: string;
}

export interface ObjectPlan {
  fields: FieldPlan[];
  /** simpleContent: the element's text. */
  text?: FieldPlan;
  /** xs:any: unmatched child elements as JSON under this field. */
  any?: string;
  /** XML namespace/name of the type, for docs. */
  source: string;
}

export interface EnumPlan {
  /** [xml value, GraphQL enum value] pairs. */
  values: Array<[string, string]>;
  source: string;
}

export interface OperationPlan {
  /** Upstream operation name (portType operation). */
  name: string;
  portType: string;
  root: 'Query' | 'Mutation';
  field: string;
  soapVersion: '1.1' | '1.2';
  soapAction: string;
  /** soap:address of the chosen port (the config `url` overrides it). */
  endpoint: string | null;
  style: 'document' | 'rpc';
  encoded: boolean;
  input: {
    /** The body's element holding the arguments (wrapped doc/literal, rpc); null = arguments are body children. */
    wrapper: { ns: string; local: string } | null;
    args: FieldPlan[];
    /** soap:header parts of the input, sent in soap:Header; exposed as arguments after the body's. */
    headers?: FieldPlan[];
  };
  output: {
    /** One-way operation or empty answer: the field returns Void. */
    void: boolean;
    /** Elements to descend into from soap:Body (`*` = first element child). */
    path: string[];
    /** The result is this one field of the element reached (unwrapped). */
    select: FieldPlan | null;
    /** Or the element reached is mapped as this object type. */
    object: string | null;
  };
}

export interface SoapPlan {
  version: 1;
  operations: OperationPlan[];
  objects: Record<string, ObjectPlan>;
  enums: Record<string, EnumPlan>;
  /** GraphQL input type name of each object used as an argument. */
  inputNames: Record<string, string>;
  /** Every document read (the WSDL and its imports/includes), absolute paths or the URL: what to copy next to the WSDL. */
  files?: string[];
}
