/**
 * The mailer: the report module's only way out to e-mail. One adapter (nodemailer over SMTP_URL);
 * tests may provide their own. Errors are thrown as they come; the caller retries and records them.
 */
export const MAILER_PORT = Symbol('MAILER_PORT');

export interface MailAttachment {
  filename: string;
  content: Buffer | string;
  contentType: string;
}

export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: MailAttachment[];
  /** Message-ID to use (`<…@…>`); the same one for every attempt and the outbox copy. */
  messageId?: string;
  /** Date header; defaults to now. */
  date?: Date;
}

export interface MailerPort {
  /** True when an SMTP transport is configured (otherwise send() throws). */
  readonly configured: boolean;
  send(message: MailMessage): Promise<{ messageId: string }>;
  /** The RFC 5322 message exactly as it would be sent (for the .eml outbox). */
  compose(message: MailMessage): Promise<Buffer>;
}
