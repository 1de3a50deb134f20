"""Refusals and errors explain themselves in Chinese, with a way back."""

from django.test import Client
from django.urls import reverse


def test_a_wrong_role_gets_a_chinese_403_page(client_for, tengzhou_clerk):
    response = client_for(tengzhou_clerk).get(
        reverse("indicators:summary", args=["2023Q2", "370400"])
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "无权访问" in html and "你的角色无权访问此页面" in html and "返回首页" in html


def test_an_unknown_page_gets_a_chinese_404_page(client_for, tengzhou_clerk):
    response = client_for(tengzhou_clerk).get("/no-such-page/")
    assert response.status_code == 404
    assert "找不到页面" in response.content.decode()


def test_a_refused_form_gets_a_chinese_csrf_page(seed):
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_a_new_password_must_differ_from_the_old(client_for, tengzhou_clerk):
    response = client_for(tengzhou_clerk).post(
        reverse("password_change"),
        {
            "old_password": "Zzip@2023demo",
            "new_password1": "Zzip@2023demo",
            "new_password2": "Zzip@2023demo",
        },
    )
    assert response.status_code == 200
    assert "新密码不能与原密码相同" in response.content.decode()
