// The mock model server's TLS identity: a self-signed certificate for localhost, 127.0.0.1 and ::1,
// valid until 2126, made for tests with
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
//     -subj "/CN=hearth mock model server" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
// Its key is public by design: it protects nothing but a loopback test server.

export const mockTlsCertificate = `-----BEGIN CERTIFICATE-----
MIIBzDCCAXKgAwIBAgIULjDLbs2gU554FbaF71j5pSeIGcAwCgYIKoZIzj0EAwIw
IzEhMB8GA1UEAwwYaGVhcnRoIG1vY2sgbW9kZWwgc2VydmVyMCAXDTI2MTEyODEx
MTE1OVoYDzIxMjYxMTA0MTExMTU5WjAjMSEwHwYDVQQDDBhoZWFydGggbW9jayBt
b2RlbCBzZXJ2ZXIwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAARALYO+zp4T8z9v
LoSNp+ce6CGQBV9/rgx8QwwR2fFBKmZofjGJjJj6521fbCag4qL+sOagtVsnrk/w
XzQ3oGG/o4GBMH8wHQYDVR0OBBYEFNHzKXgnutukv+oLpBF50Xeiy20AMB8GA1Ud
IwQYMBaAFNHzKXgnutukv+oLpBF50Xeiy20AMA8GA1UdEwEB/wQFMAMBAf8wLAYD
VR0RBCUwI4IJbG9jYWxob3N0hwR/AAABhxAAAAAAAAAAAAAAAAAAAAABMAoGCCqG
SM49BAMCA0gAMEUCIQDs9JIpXNG/pj3ob1hhf2anY64blry6HcWQLVyGvk+x2wIg
Dskm50gVa/zkl9zxLuyAWv78ezcyz7+efkdkxvg4M6s=
-----END CERTIFICATE-----
`;

export const mockTlsKey = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0ECIPN1i34r7OD/e
tO8U5ewmkLP/zRzalZTEtmTPgXWhRANCAARALYO+zp4T8z9vLoSNp+ce6CGQBV9/
rgx8QwwR2fFBKmZofjGJjJj6521fbCag4qL+sOagtVsnrk/wXzQ3oGG/
-----END PRIVATE KEY-----
`;
