import type { ConnectionOptions } from 'node:tls';
import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { MailerPort, MailMessage } from './mailer.port.js';

export interface NodemailerMailerOptions {
  /** SMTP_URL: `smtps://user:pass@host:465` (implicit TLS) or `smtp://…:587` (STARTTLS). */
  smtpUrl?: string | null;
  /** SMTP_ALLOW_INSECURE: allow `smtp://` without STARTTLS (local relays, tests). */
  allowInsecure?: boolean;
  /** Extra TLS options (e.g. a private CA); tests pass `rejectUnauthorized: false` for a self-signed relay. */
  tls?: ConnectionOptions;
  /** Socket timeouts in ms (connect, greeting, idle). */
  timeoutMs?: number;
}

/** Host and port of SMTP_URL without credentials, for logs. */
export function describeSmtpUrl(smtpUrl: string): string {
  try {
    const u = new URL(smtpUrl);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return 'smtp://(invalid)';
  }
}

/**
 * The options nodemailer gets from SMTP_URL. `smtps://` is implicit TLS (default port 465);
 * `smtp://` must upgrade with STARTTLS (`requireTLS`, default port 587) unless insecure is allowed,
 * in which case STARTTLS is still used when offered. Credentials come from the URL's user info and
 * are never logged (nodemailer's logger stays off).
 */
export function smtpTransportOptions(opts: NodemailerMailerOptions) {
  if (!opts.smtpUrl) throw new Error('SMTP_URL is not set');
  const u = new URL(opts.smtpUrl);
  const secure = u.protocol === 'smtps:';
  if (!secure && u.protocol !== 'smtp:') throw new Error('SMTP_URL must start with smtp:// or smtps://');
  const timeout = opts.timeoutMs ?? 30_000;
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && !opts.allowInsecure,
    auth: u.username
      ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) }
      : undefined,
    tls: { minVersion: 'TLSv1.2' as const, ...opts.tls },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function toMail(m: MailMessage): Mail.Options {
  return {
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    date: m.date,
    attachments: m.attachments.map((a) => ({
      filename: a.filename,
      content: a.content,
      contentType: a.contentType,
    })),
  };
}

/** MailerPort over nodemailer 10: SMTP for sending, its stream transport for the .eml copy. */
export class NodemailerMailerAdapter implements MailerPort {
  private readonly smtp;
  private readonly stream = createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
    disableFileAccess: true,
    disableUrlAccess: true,
  });

  constructor(opts: NodemailerMailerOptions) {
    this.smtp = opts.smtpUrl ? createTransport(smtpTransportOptions(opts)) : null;
  }

  get configured(): boolean {
    return this.smtp !== null;
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    if (!this.smtp) throw new Error('SMTP_URL is not set');
    const info = await this.smtp.sendMail(toMail(message));
    return { messageId: info.messageId };
  }

  async compose(message: MailMessage): Promise<Buffer> {
    const info = await this.stream.sendMail(toMail(message));
    return info.message as Buffer;
  }

  /** Closes pooled SMTP connections (Nest calls it on shutdown). */
  onModuleDestroy(): void {
    this.smtp?.close();
  }
}
