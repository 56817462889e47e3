/**
 * The one registry of error codes. Every error the API sends has a code from here, a status,
 * and a default message that is safe to show to a user. Add codes here, nowhere else.
 */
export const errorCodes = {
  // Request shape (S7)
  VALIDATION_FAILED: { status: 400, message: 'The request is not valid.' },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  BODY_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the request body as application/json.' },
  NOT_FOUND: { status: 404, message: 'There is nothing at this address.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed here.' },
  CSRF_CHECK_FAILED: {
    status: 403,
    message:
      'The request did not pass the cross-site request check. Reload the page and try again.',
  },

  // Accounts and passwords
  INVALID_EMAIL: { status: 400, message: 'Enter a valid email address, like name@example.com.' },
  PASSWORD_TOO_SHORT: { status: 400, message: 'The password is too short.' },
  PASSWORD_TOO_LONG: { status: 400, message: 'The password is too long.' },
  PASSWORD_TOO_COMMON: {
    status: 400,
    message: 'This password is too common and easy to guess. Choose another.',
  },
  PASSWORD_HAS_CONTEXT: {
    status: 400,
    message: 'The password must not contain your email address or the portal name.',
  },
  SIGN_UP_DISABLED: {
    status: 403,
    message: 'Accounts are created by invitation only. Ask your administrator for an invitation.',
  },
  INVITATION_INVALID: {
    status: 404,
    message:
      'This invitation link is not valid: it may have expired or been used already. Ask for a new one.',
  },

  // Sign-in (S5, S6)
  INVALID_CREDENTIALS: { status: 401, message: 'The email address or password is not right.' },
  TOO_MANY_ATTEMPTS: {
    status: 429,
    message: 'Too many failed attempts. Wait a moment and try again.',
  },
  ACCOUNT_LOCKED: {
    status: 423,
    message:
      'This account is locked after too many failed attempts. Reset your password or contact your administrator.',
  },
  ACCOUNT_DISABLED: {
    status: 403,
    message: 'This account is disabled. Contact your administrator.',
  },
  FLOW_NOT_FOUND: { status: 404, message: 'This sign-in has expired. Start again.' },
  FLOW_STATE_CONFLICT: {
    status: 409,
    message: 'This step is already done or not available now. Reload the page.',
  },

  // One-time codes (S8)
  CODE_INVALID: { status: 400, message: 'That code is not right.' },
  CODE_EXPIRED: { status: 400, message: 'That code has expired. Send a new code.' },
  CODE_ATTEMPTS_EXCEEDED: {
    status: 400,
    message: 'Too many wrong tries for this code. Send a new code.',
  },
  RESEND_TOO_SOON: { status: 429, message: 'Please wait before asking for another code.' },
  TOO_MANY_REQUESTS: {
    status: 429,
    message: 'Too many requests have come from your network. Wait a moment and try again.',
  },
  DELIVERY_FAILED: {
    status: 502,
    message: 'We could not send the message. Try again in a moment.',
  },
  SEND_LIMIT_REACHED: {
    status: 429,
    message: 'Too many codes have been sent. Wait a while before asking for another.',
  },
  SEND_BUDGET_EXHAUSTED: {
    status: 429,
    message: 'Text messages and calls are paused for now. Try again later, or use another method.',
  },

  // Phones (S11)
  PHONE_INVALID: {
    status: 400,
    message: 'Enter a valid phone number in international format, for example +447546123456.',
  },
  PHONE_EXTENSION_NOT_ALLOWED: {
    status: 400,
    message: 'Use a direct number: numbers with an extension cannot receive codes.',
  },
  PHONE_TYPE_NOT_SUPPORTED: {
    status: 400,
    message: 'This kind of number cannot receive codes. Use a mobile or a direct landline number.',
  },
  PHONE_COUNTRY_NOT_ALLOWED: {
    status: 400,
    message: 'Numbers from this country are not accepted here.',
  },
  CHANNEL_NOT_AVAILABLE: {
    status: 400,
    message: 'This number cannot receive text messages. Choose "Call me" instead.',
  },
  PHONE_NOT_FOUND: { status: 404, message: 'There is no phone number on this account.' },

  // Step-up and factor changes (S20)
  STEP_UP_REQUIRED: {
    status: 403,
    message: 'For your security, verify your identity again before making this change.',
  },
  FACTOR_NOT_ALLOWED: {
    status: 403,
    message: 'Your portal does not use this sign-in method. Choose another one.',
  },
  FACTOR_REQUIRED: {
    status: 409,
    message:
      'You cannot remove this method: your portal requires it (it is your only second factor, or what meets the required sign-in methods). Add another method first.',
  },

  // Authenticator app and recovery code (S12–S14)
  CODE_ALREADY_USED: {
    status: 400,
    message: 'This code has been used already. Wait for the next code in your authenticator app.',
  },
  TOTP_NOT_FOUND: { status: 404, message: 'There is no authenticator app on this account.' },
  RECOVERY_CODE_INVALID: {
    status: 400,
    message: 'That recovery code is not right. Check it against the one you saved.',
  },
  RECOVERY_CODE_NOT_FOUND: {
    status: 404,
    message: 'There is no recovery code on this account. Get a new one from the security page.',
  },
  METHOD_NOT_AVAILABLE: {
    status: 400,
    message: 'This way of verifying is not available on your account.',
  },

  CURRENT_PASSWORD_INVALID: {
    status: 400,
    message: 'Your current password is not right.',
  },

  // Changing the email address (S6, S20)
  EMAIL_UNCHANGED: {
    status: 400,
    message: 'This is already the email address on your account. Enter a different one.',
  },
  EMAIL_UNAVAILABLE: {
    status: 409,
    message:
      'This email address cannot be used for your account. Nothing was changed: choose another address.',
  },

  // Forgotten password (S6, S22)
  RESET_NOT_FOUND: {
    status: 404,
    message: 'This password reset has expired. Start again.',
  },
  RESET_METHOD_NOT_ALLOWED: {
    status: 400,
    message: 'This portal does not let you reset your password that way.',
  },
  RESET_NEEDS_SECOND_FACTOR: {
    status: 409,
    message:
      'Your recovery code is right, but your account has no passkey, authenticator app or phone to confirm it with. Contact your administrator.',
  },

  // Passkeys (S15)
  PASSKEY_INVALID: {
    status: 400,
    message: 'This passkey could not be verified. Try again, or use another way to sign in.',
  },
  PASSKEY_USER_NOT_VERIFIED: {
    status: 400,
    message:
      'Your device did not confirm it is you (fingerprint, face or PIN). Signing in with a passkey alone needs that; try again and unlock it.',
  },
  PASSKEY_BLOCKED: {
    status: 403,
    message:
      'This passkey is blocked: it may have been copied. Sign in another way, then remove it and add it again.',
  },
  PASSKEY_ALREADY_REGISTERED: {
    status: 409,
    message:
      'This passkey cannot be added. If it is already on your account, you do not need to add it again.',
  },
  PASSKEY_NOT_FOUND: { status: 404, message: 'There is no such passkey on this account.' },
  CEREMONY_EXPIRED: {
    status: 400,
    message: 'This passkey request has expired or was used already. Try again.',
  },

  // Sessions and authorisation
  UNAUTHENTICATED: { status: 401, message: 'Sign in to continue.' },
  SESSION_NOT_FOUND: {
    status: 404,
    message: 'That session was not found. It may have ended already.',
  },
  ADMIN_REQUIRED: { status: 403, message: 'Only administrators can do this.' },
  AAL2_REQUIRED: { status: 403, message: 'This needs a sign-in with two factors.' },
  DEPLOYMENT_ADMIN_REQUIRED: {
    status: 403,
    message:
      'Only an administrator of the whole portal can do this, not an organisation administrator.',
  },
  USER_NOT_FOUND: { status: 404, message: 'There is no such user among those you administer.' },
  SELF_ADMIN_ACTION: {
    status: 403,
    message: 'You cannot change your own account here. Use Account Management, like every user.',
  },
  ADMIN_ACTION_NOT_ALLOWED: {
    status: 403,
    message: "This portal's policy does not let an administrator do this for this user.",
  },
  EXEMPTION_TOO_LONG: {
    status: 400,
    message:
      "Multi-factor authentication cannot be turned off for that long under this user's policy.",
  },
  NOT_EXEMPT: {
    status: 409,
    message: 'Multi-factor authentication is not turned off for this user.',
  },
  USER_CHANGED: {
    status: 409,
    message: 'This user changed while you were looking. Reload the page and try again.',
  },
  OIDC_CLIENT_INVALID: { status: 400, message: 'The client registration is not valid.' },
  OIDC_CLIENT_NOT_FOUND: { status: 404, message: 'There is no such client.' },
  NOT_INVITED: {
    status: 409,
    message: 'This user has no invitation waiting: they already accepted it, or it was revoked.',
  },
  FACTOR_NOT_HELD: { status: 404, message: 'This user does not have that sign-in method.' },
  NOT_IN_ORGANISATION: {
    status: 409,
    message: 'Only a member of an organisation can be its administrator.',
  },

  // Policy and organisations (admin API)
  POLICY_INVALID: { status: 400, message: 'The policy is not valid.' },
  ORGANISATION_NOT_FOUND: { status: 404, message: 'There is no such organisation.' },
  ORGANISATION_EXISTS: {
    status: 409,
    message: 'An organisation with this name exists already. Choose another name.',
  },
  ACCOUNT_NOT_FOUND: { status: 404, message: 'There is no account with this email address.' },
  ACCOUNT_IN_OTHER_ORGANISATION: {
    status: 409,
    message:
      'This account belongs to another organisation. Remove it from that one first: an account belongs to one organisation at most.',
  },
  MEMBER_NOT_FOUND: { status: 404, message: 'This account is not a member of this organisation.' },

  // Audit log (admin API, S25)
  INVALID_CURSOR: {
    status: 400,
    message: 'This page marker is not valid. Start again from the first page.',
  },
  INVALID_DATE_RANGE: { status: 400, message: 'The start of the range is after its end.' },

  // An application signing in through Portcullis (OpenID Connect, issue 14)
  OIDC_INTERACTION_NOT_FOUND: {
    status: 404,
    message: 'This sign-in link has expired or is not valid. Start again from the application.',
  },
  OIDC_INTERACTION_MOVED: {
    status: 409,
    message: 'This sign-in has moved on. Continue from where it is now.',
  },

  // Anything else
  DECRYPTION_FAILED: {
    status: 500,
    message: 'A stored secret could not be read. Contact your administrator.',
  },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is not available right now.' },
  // A dependency is down (S31): answered quickly, with Retry-After; service resumes by itself.
  DATABASE_UNAVAILABLE: {
    status: 503,
    message: 'The service is briefly unavailable. Nothing was changed: try again in a few seconds.',
  },
  REDIS_UNAVAILABLE: {
    status: 503,
    message: 'The service is briefly unavailable. Nothing was changed: try again in a few seconds.',
  },
  INTERNAL_ERROR: { status: 500, message: 'Something went wrong on our side. Try again.' },
  // Test configuration only (`strictErrors`): a route answered a code its schema does not declare.
  UNDECLARED_ERROR: { status: 500, message: 'Something went wrong on our side. Try again.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;
