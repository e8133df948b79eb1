package io.quiverdb.common;

/** A NoticeResponse for the client: severity (NOTICE, WARNING, INFO), SQLSTATE and message. */
public record Notice(String severity, SqlState state, String message) {
  public Notice {
    if (severity == null || state == null || message == null) {
      throw new IllegalArgumentException("notice fields must not be null");
    }
  }

  public static Notice notice(String message) {
    return new Notice("NOTICE", SqlState.SUCCESSFUL_COMPLETION, message);
  }
}
