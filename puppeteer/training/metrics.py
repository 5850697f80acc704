"""Image quality measures on what the user sees: sRGB RGBA in [0, 1] (not premultiplied), whatever value
convention the network uses, so that models of both conventions compare fairly.

Every function takes N×4×H×W network-space tensors and returns one value per image (N).
"""
import torch
import torch.nn.functional as F

SSIM_WINDOW, SSIM_SIGMA = 11, 1.5  # Wang et al. 2004, as skimage's gaussian_weights=True


def display_space(x: torch.Tensor, convention: str) -> torch.Tensor:
    """Network values → sRGB RGBA in [0, 1] (the inverse of images.encode, differentiable)."""
    if convention == "ntut":
        return x.clamp(0, 1)
    y = ((x + 1) / 2).clamp(0, 1)
    rgb = y[:, :3]
    srgb = torch.where(rgb <= 0.003130804953560372, 12.92 * rgb,
                       1.055 * rgb.clamp_min(0.003130804953560372) ** (1 / 2.4) - 0.055)
    return torch.cat([srgb, y[:, 3:]], dim=1)


def l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a - b).abs().flatten(1).mean(1)


def psnr(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """In dB for values in [0, 1]; identical images give 100 dB rather than infinity."""
    mse = (a - b).square().flatten(1).mean(1)
    return -10 * torch.log10(mse.clamp_min(1e-10))


def face_box(x: torch.Tensor) -> torch.Tensor:
    """The centre half of the picture: THA v1's 128×128 head box in a 256×256 character."""
    h, w = x.shape[-2:]
    return x[..., h // 4: h - h // 4, w // 4: w - w // 4]


def ssim(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Mean structural similarity over channels and the pixels a whole 11×11 Gaussian window covers."""
    c = a.shape[1]
    g = torch.exp(-(torch.arange(SSIM_WINDOW, dtype=a.dtype, device=a.device) - SSIM_WINDOW // 2) ** 2
                  / (2 * SSIM_SIGMA ** 2))
    g = g / g.sum()
    window = (g[:, None] * g[None, :]).expand(c, 1, -1, -1)

    def blur(x):
        return F.conv2d(x, window, groups=c)

    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a ** 2
    var_b = blur(b * b) - mu_b ** 2
    cov = blur(a * b) - mu_a * mu_b
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    return s.flatten(1).mean(1)


def image_metrics(output: torch.Tensor, target: torch.Tensor, convention: str) -> dict[str, torch.Tensor]:
    """L1, PSNR, SSIM and face-box PSNR per image, in display space."""
    a, b = display_space(output.float(), convention), display_space(target.float(), convention)
    return {"l1": l1(a, b), "psnr": psnr(a, b), "ssim": ssim(a, b), "psnr_face": psnr(face_box(a), face_box(b))}
