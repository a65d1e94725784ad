package io.sluice.server;

import io.sluice.proxy.RequestHead;
import io.sluice.routing.MatchInput;
import io.sluice.routing.QueryString;
import java.util.List;
import java.util.Map;

/** A {@link MatchInput} view of a request head; the query is parsed only if a route asks for it. */
final class RequestMatchInput implements MatchInput {

  private final RequestHead head;
  private Map<String, List<String>> query;

  RequestMatchInput(RequestHead head) {
    this.head = head;
  }

  @Override
  public String method() {
    return head.method().name();
  }

  @Override
  public String host() {
    return head.host();
  }

  @Override
  public String path() {
    return head.path();
  }

  @Override
  public boolean hasMatrixParameters() {
    return head.hasMatrixParameters();
  }

  @Override
  public String header(CharSequence lowerCaseName) {
    return head.headers().get(lowerCaseName);
  }

  @Override
  public List<String> headerValues(CharSequence lowerCaseName) {
    return head.headers().getAll(lowerCaseName);
  }

  @Override
  public String queryParam(String name) {
    List<String> values = queryValues(name);
    return values.isEmpty() ? null : values.get(0);
  }

  @Override
  public List<String> queryValues(String name) {
    if (head.rawQuery() == null) {
      return List.of();
    }
    if (query == null) {
      query = QueryString.parse(head.rawQuery());
    }
    return query.getOrDefault(name, List.of());
  }
}
