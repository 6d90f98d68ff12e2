using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Rmq.Host.Tests.AspNetCore;

/// <summary>
/// The smallest real authentication scheme for tests: <c>X-Test-User</c> names the user, <c>X-Test-Role</c> gives a
/// role claim (or, for a browser, the cookies <c>test-user</c> and <c>test-role</c>); without a user the request is
/// anonymous (a challenge answers 401, a forbid 403).
/// </summary>
public sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "TestHeader";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = Request.Headers["X-Test-User"] is { Count: > 0 } u ? u.ToString() : Request.Cookies["test-user"];
        var role = Request.Headers["X-Test-Role"] is { Count: > 0 } r ? r.ToString() : Request.Cookies["test-role"];
        if (string.IsNullOrEmpty(user)) return Task.FromResult(AuthenticateResult.NoResult());
        var claims = new List<Claim> { new(ClaimTypes.Name, user) };
        if (!string.IsNullOrEmpty(role)) claims.Add(new Claim(ClaimTypes.Role, role));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }
}
