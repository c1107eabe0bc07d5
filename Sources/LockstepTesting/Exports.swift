// The admin client lives in the client library (bots use it); tests reach it through here too.
@_exported import LockstepClient
